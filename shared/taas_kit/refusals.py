"""The refusals use cases raise; the HTTP kit turns each into one problem+json answer."""

import re
from typing import Protocol

from taas_kit.http.problems import Problem, conflict, not_found

_INDEX = re.compile(r"\[(\d+)\]")


class UseCaseError(Exception):
    """Base of the use cases' refusals."""

    def problem(self) -> Problem:
        """The problem+json answer."""
        return Problem(500, "Internal Server Error", "an unexpected error occurred", code="internal")


class NotFound(UseCaseError):
    """An unknown id, or another tenant's id (answered the same way)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no such {what}")
        self.what = what

    def problem(self) -> Problem:
        """404."""
        return not_found(self.what)


class Conflict(UseCaseError):
    """The request contradicts the current state (or reuses an idempotency key with another body)."""

    def __init__(self, detail: str, code: str = "conflict") -> None:
        super().__init__(detail)
        self.code = code

    def problem(self) -> Problem:
        """409."""
        return conflict(str(self), self.code)


class Forbidden(UseCaseError):
    """The caller may not do this, or may not change these fields."""

    def __init__(self, detail: str, fields: list[str] | None = None, code: str = "forbidden") -> None:
        super().__init__(detail)
        self.fields, self.code = fields or [], code

    def problem(self) -> Problem:
        """403, naming the fields the caller may not change."""
        errors = [{"pointer": pointer(f), "field": f, "in": "body", "message": "only ops may change this field",
                   "type": "forbidden"} for f in self.fields]
        return Problem(403, "Forbidden", str(self), code=self.code, errors=errors or None)


class FieldIssue(Protocol):
    """Anything with a field path and a message (domain problem types fit)."""

    field: str
    message: str


class Invalid(UseCaseError):
    """Input that passed the types but breaks a rule, field by field (fields named like `windows[3].start`)."""

    def __init__(self, problems: list[FieldIssue], where: str = "body") -> None:
        super().__init__(f"{len(problems)} invalid field(s) in the {where}")
        self.problems, self.where = problems, where

    def problem(self) -> Problem:
        """422 with one entry per field."""
        errors = [{"pointer": pointer(p.field), "field": p.field, "in": self.where, "message": p.message,
                   "type": getattr(p, "code", "invalid")} for p in self.problems]
        return Problem(422, "Unprocessable Content", str(self), code="validation_error", errors=errors)


def pointer(field: str) -> str:
    """A JSON pointer for a field path: `windows[3].start` -> `/windows/3/start`."""
    return "/" + _INDEX.sub(r".\1", field).replace(".", "/") if field else ""
