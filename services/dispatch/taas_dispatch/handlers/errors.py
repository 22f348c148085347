"""Use-case outcomes the HTTP layer turns into problems: unknown ids and refusals."""

from taas_dispatch.domain.errors import DispatchDomainError


class UnknownId(Exception):
    """No such id, or one that belongs to someone else (answered the same way)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no such {what}")
        self.what = what


class Refused(DispatchDomainError):
    """The change cannot be made in the current state (a conflict), with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
