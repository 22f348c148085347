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


def revoke(token_or_id: str, bootstrap: str) -> str:
    """Publish a revocation for a token (or its id); every service stops accepting it within a second."""
    if token_or_id.count(".") == 2:
        claims = auth.claims_of(token_or_id)
        jti, expires = claims["jti"], float(claims["exp"])
    else:
        jti, expires = token_or_id, time.time() + 366 * 86400
    asyncio.run(publish_revocation(bootstrap, jti, expires))
    return jti
