"""Errors the use cases raise; the HTTP layer turns each into one problem+json answer."""

from taas_availability.domain.problems import FieldProblem


class UseCaseError(Exception):
    """Base of the use cases' refusals."""


class NotFound(UseCaseError):
    """An unknown id, or another tenant's id (answered the same way)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no such {what}")
        self.what = what


class Conflict(UseCaseError):
    """The request contradicts the current state."""

    def __init__(self, detail: str, code: str = "conflict") -> None:
        super().__init__(detail)
        self.code = code


class Forbidden(UseCaseError):
    """The caller may not change these fields (or do this at all)."""

    def __init__(self, detail: str, fields: list[str] | None = None, code: str = "forbidden") -> None:
        super().__init__(detail)
        self.fields, self.code = fields or [], code


class Invalid(UseCaseError):
    """Input that passed the types but breaks a rule, field by field (named as `windows[3]`)."""

    def __init__(self, problems: list[FieldProblem], where: str = "body") -> None:
        super().__init__(f"{len(problems)} invalid field(s) in the {where}")
        self.problems, self.where = problems, where
