"""`taas keys issue` and `taas keys revoke`: API tokens for agencies, providers, ops and billing."""

import asyncio
import os
import time

from taas_kit import auth
from taas_kit.revocations import publish_revocation
from taas_kit.settings import ServiceSettings


def secret() -> str:
    """The signing secret every service verifies with."""
    return os.environ.get("TAAS_AUTH_SECRET") or ServiceSettings().auth_secret


def issue(role: str, tenant: str | None, ttl_seconds: int) -> str:
    """A new token (printed alone, so it can be captured with $(...))."""
    return auth.issue(secret(), role, tenant, ttl_seconds)


class RevokeError(Exception):
    """A token to revoke that this system did not sign (or cannot read)."""


def revoke(token_or_id: str, bootstrap: str, publish=publish_revocation) -> str:
    """Publish a revocation for a token (or its id); every service stops accepting it within a second.

    There is no registry of issued tokens (they are verified by signature alone), so a full token is checked first:
    one with a bad signature or unreadable claims raises RevokeError. A bare id cannot be checked; its revocation
    is recorded anyway. Returns what happened, in words.
    """
    if token_or_id.count(".") == 2:
        try:
            auth.verify(secret(), token_or_id)
        except auth.TokenError as exc:
            if str(exc) != "token expired":  # verify checks the signature and claims before the expiry
                raise RevokeError(f"not revoked: {exc} (not a token this system issued with its TAAS_AUTH_SECRET)"
                                  ) from exc
            claims = auth.claims_of(token_or_id)
            return f"token {claims['jti']} has already expired; every service refuses it, nothing to revoke"
        claims = auth.claims_of(token_or_id)
        jti, expires = claims["jti"], float(claims["exp"])
        asyncio.run(publish(bootstrap, jti, expires))
        return f"revoked token {jti} ({claims.get('role')} {claims.get('tenant') or ''}".rstrip() + ")"
    jti, expires = token_or_id, time.time() + 366 * 86400
    asyncio.run(publish(bootstrap, jti, expires))
    return (f"revocation of id {jti} recorded; taas keeps no registry of issued tokens, so it cannot check that "
            f"such a token was ever issued (a token with this id is refused from now on)")
