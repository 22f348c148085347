"""Use-case outcomes the HTTP layer turns into problems: unknown ids (the kit's 404) and refusals."""

from taas_dispatch.domain.errors import DispatchDomainError
from taas_kit.refusals import NotFound as UnknownId

__all__ = ["Refused", "UnknownId"]


class Refused(DispatchDomainError):
    """The change cannot be made in the current state (a conflict), with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
