"""Refusals the use cases raise (the kit's, answered as problem+json by the HTTP layer) and the field problem type."""

from dataclasses import dataclass

from taas_kit.refusals import Conflict, Forbidden, Invalid, NotFound, UseCaseError


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field."""

    field: str
    code: str
    message: str


__all__ = ["Conflict", "FieldProblem", "Forbidden", "Invalid", "NotFound", "UseCaseError"]
