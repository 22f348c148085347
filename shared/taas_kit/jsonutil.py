"""Fast JSON (orjson) with the conversions the project needs."""

from decimal import Decimal
from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Serialise to JSON bytes (datetimes as ISO 8601, pydantic models via model_dump)."""
    return orjson.dumps(value, default=_default)


def dumps_str(value: Any) -> str:
    """Serialise to a JSON string."""
    return dumps(value).decode()


def plain_decimal(value: Decimal) -> str:
    """A decimal as people and billing systems read it (`60`, `7140`, `1.50`), never in exponent form (`6E+1`)."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return format(value, "f")


def loads(data: bytes | str) -> Any:
    """Parse JSON."""
    return orjson.loads(data)


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Decimal):
        return plain_decimal(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
