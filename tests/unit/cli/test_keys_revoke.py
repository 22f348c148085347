"""`taas keys revoke`: a full token is verified first; a bare id is recorded, saying plainly it cannot be checked."""

import pytest

from taas_cli import keys, main
from taas_kit import auth


class Published(list):
    async def __call__(self, bootstrap, jti, expires):
        self.append(jti)


def test_a_token_signed_with_another_secret_is_refused_and_nothing_is_published():
    published = Published()
    forged = auth.issue("not-our-secret", "ops", None, 60)
    with pytest.raises(keys.RevokeError, match="bad token signature"):
        keys.revoke(forged, "unused:9092", publish=published)
    assert published == []


def test_main_exits_non_zero_on_a_bad_signature(capsys):
    forged = auth.issue("not-our-secret", "ops", None, 60)
    assert main.main(["keys", "revoke", forged]) == 1
    assert "bad token signature" in capsys.readouterr().err


def test_a_good_token_is_revoked_by_its_id():
    published = Published()
    token = keys.issue("agency", "crow-wing-county", 60)
    said = keys.revoke(token, "unused:9092", publish=published)
    assert published == [auth.claims_of(token)["jti"]]
    assert said.startswith("revoked token")


def test_a_bare_id_is_recorded_and_says_it_cannot_be_checked():
    published = Published()
    said = keys.revoke("never-issued-id", "unused:9092", publish=published)
    assert published == ["never-issued-id"]
    assert "recorded" in said and "cannot check" in said and "no registry" in said
