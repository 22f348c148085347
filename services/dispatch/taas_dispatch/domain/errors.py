"""The base of every error the dispatch domain raises: a machine-readable code and a human message."""


class DispatchDomainError(Exception):
    """A rule of the dispatch domain refused an operation; `code` is stable and machine-readable."""

    code: str = "dispatch_domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """Serialise for a problem+json body or a dispatch-log record."""
        return {"code": self.code, "message": self.message}


class InvalidConfiguration(DispatchDomainError):
    """A configuration mapping names an unknown key or holds an out-of-range value."""

    code = "invalid_configuration"
