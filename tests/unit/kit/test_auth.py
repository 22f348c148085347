"""Tokens: issue, verify, expiry, revocation, tampering."""

import pytest

from taas_kit.auth import ApiRole, TokenError, claims_of, issue, verify

SECRET = "s3cret"


def test_issue_and_verify_carry_role_and_tenant():
    token = issue(SECRET, "agency", "agency-7", ttl_seconds=60, now=1_000)
    principal = verify(SECRET, token, now=1_030)
    assert principal.role is ApiRole.AGENCY and principal.tenant == "agency-7"
    assert principal.owns("agency-7") and not principal.owns("agency-8")


def test_ops_and_billing_own_every_tenant():
    assert verify(SECRET, issue(SECRET, "ops")).owns("anyone")
    assert verify(SECRET, issue(SECRET, "billing")).owns("anyone")


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "bad token signature"),
    (lambda t: "x.y", "malformed token"),
    (lambda t: t.replace(".", "", 1), "malformed token"),
])
def test_tampered_tokens_are_refused(mutate, message):
    with pytest.raises(TokenError, match=message):
        verify(SECRET, mutate(issue(SECRET, "provider", "p1")))


def test_other_secret_expiry_and_revocation():
    token = issue(SECRET, "provider", "p1", ttl_seconds=10, now=100)
    with pytest.raises(TokenError, match="signature"):
        verify("other", token, now=105)
    with pytest.raises(TokenError, match="expired"):
        verify(SECRET, token, now=111)
    with pytest.raises(TokenError, match="revoked"):
        verify(SECRET, token, revoked={claims_of(token)["jti"]}, now=105)


def test_tenant_roles_need_a_tenant():
    with pytest.raises(ValueError):
        issue(SECRET, "agency")
