"""Refusals the use cases raise: the kit's, answered as problem+json by the HTTP layer."""

from taas_kit.refusals import Conflict, Forbidden, Invalid, NotFound, UseCaseError

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "UseCaseError"]
