"""Bearer tokens: HMAC-signed claims (role, tenant, expiry, id) that every service verifies on its own."""

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from taas_kit import jsonutil


class ApiRole(StrEnum):
    """Who is calling."""

    AGENCY = "agency"
    PROVIDER = "provider"
    OPS = "ops"
    BILLING = "billing"


TENANT_ROLES = {ApiRole.AGENCY, ApiRole.PROVIDER}


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller: role, tenant (agency or provider id), token id and expiry."""

    role: ApiRole
    tenant: str | None
    jti: str
    expires_at: int
    subject: str

    def owns(self, tenant_id: str) -> bool:
        """True if this caller may act on data of `tenant_id` (ops and billing may act on all)."""
        return self.role not in TENANT_ROLES or self.tenant == tenant_id


class TokenError(Exception):
    """A token that is missing, malformed, badly signed, expired or revoked."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEADER = _b64(jsonutil.dumps({"alg": "HS256", "typ": "JWT"}))


def issue(secret: str, role: ApiRole | str, tenant: str | None = None, ttl_seconds: int = 30 * 86400,
          subject: str | None = None, now: float | None = None) -> str:
    """A signed token (JWT, HS256) for a role and, for agencies and providers, their tenant id."""
    role = ApiRole(role)
    if role in TENANT_ROLES and not tenant:
        raise ValueError(f"role {role} needs a tenant id")
    issued = int(now if now is not None else time.time())
    claims = {"sub": subject or tenant or role.value, "role": role.value, "tenant": tenant,
              "iat": issued, "exp": issued + ttl_seconds, "jti": str(uuid.uuid4())}
    body = f"{_HEADER}.{_b64(jsonutil.dumps(claims))}"
    return f"{body}.{_sign(secret, body)}"


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def verify(secret: str, token: str, revoked: set[str] | frozenset[str] = frozenset(), now: float | None = None) -> Principal:
    """Check signature, expiry and revocation; returns the caller or raises TokenError."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("malformed token")
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(secret, body), parts[2]):
        raise TokenError("bad token signature")
    try:
        claims = jsonutil.loads(_unb64(parts[1]))
        principal = Principal(ApiRole(claims["role"]), claims.get("tenant"), claims["jti"], int(claims["exp"]),
                              claims.get("sub", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed token claims") from exc
    if principal.expires_at <= (now if now is not None else time.time()):
        raise TokenError("token expired")
    if principal.jti in revoked:
        raise TokenError("token revoked")
    return principal


def claims_of(token: str) -> dict:
    """The unverified claims of a token (to revoke it by value)."""
    try:
        return jsonutil.loads(_unb64(token.split(".")[1]))
    except (IndexError, ValueError) as exc:
        raise TokenError("malformed token") from exc
