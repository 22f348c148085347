"""Field types shared by the API models: text without NUL bytes, ids, time zones."""

import re
import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from taas_requests.domain.validation import duplicate_problems

AGENCY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
_AGENCY_ID = re.compile(AGENCY_ID_PATTERN)


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot store U+0000: refuse it as a field error, not a server error.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except Exception as exc:  # noqa: BLE001 - ZoneInfo raises several types for bad keys
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - a type factory reads like a type
    """A stripped string of bounded length without NUL characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_nul)]


Name = Text(200, 1)
Tag = Text(100, 1)
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_time_zone)]
AgencyId = Annotated[str, StringConstraints(pattern=AGENCY_ID_PATTERN)]


def is_agency_id(value: str) -> bool:
    """Whether a path segment can be an agency id at all."""
    return bool(_AGENCY_ID.match(value))


def parse_uuid(value: str) -> uuid.UUID | None:
    """A path segment as a UUID, None when it is not one (answered as an unknown id)."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None


def _each_once(items: list, info: ValidationInfo) -> list:
    # A field-level check, so a repeated item is reported together with every type error of the body.
    found = duplicate_problems(info.field_name or "list", [str(getattr(i, "value", i)) for i in items])
    if found:
        raise PydanticCustomError(found[0].code, "{message}", {"message": found[0].message})
    return items


EachOnce = AfterValidator(_each_once)
