"""Field types shared by the API models: bounded text without NUL bytes, provider ids."""

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

PROVIDER_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
_PROVIDER_ID = re.compile(PROVIDER_ID_PATTERN)


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot store U+0000: refuse it as a field error, not a server error.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - a type factory reads like a type
    """A stripped string of bounded length without NUL characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_nul)]


Name = Text(200, 1)
Tag = Text(100, 1)
LowerTag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=100),
                     AfterValidator(_no_nul)]
ZoneKey = Text(64, 1)
ProviderId = Annotated[str, StringConstraints(pattern=PROVIDER_ID_PATTERN)]


def is_provider_id(value: str) -> bool:
    """Whether a path segment can be a provider id at all."""
    return bool(_PROVIDER_ID.match(value))
