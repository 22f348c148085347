"""Fast JSON (orjson) with the conversions the project needs."""

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    """Serialise to JSON bytes (datetimes as ISO 8601, pydantic models via model_dump)."""
    return orjson.dumps(value, default=_default)


def dumps_str(value: Any) -> str:
    """Serialise to a JSON string."""
    return dumps(value).decode()


def loads(data: bytes | str) -> Any:
    """Parse JSON."""
    return orjson.loads(data)


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
