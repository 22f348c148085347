"""Build frozen configuration dataclasses from plain mappings (settings, env, YAML) with strict checks."""

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any, TypeVar

from taas_dispatch.domain.errors import InvalidConfiguration

ConfigT = TypeVar("ConfigT")


def reject_unknown_keys(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Raise InvalidConfiguration if `mapping` has a key outside `allowed` (typos must not pass silently)."""
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise InvalidConfiguration(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")


def _check_type(where: str, name: str, default: Any, raw: Any) -> None:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise InvalidConfiguration(f"{where}.{name}: expected true or false, got {raw!r}")
        return
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidConfiguration(f"{where}.{name}: expected a number, got {raw!r}")
    if isinstance(default, int) and not isinstance(raw, int):
        raise InvalidConfiguration(f"{where}.{name}: expected a whole number, got {raw!r}")


def override_from_mapping(base: ConfigT, mapping: Mapping[str, Any], where: str) -> ConfigT:
    """Copy the flat dataclass `base` with the values of `mapping`, each checked against the base's type."""
    defaults = {field.name: getattr(base, field.name) for field in fields(base)}  # type: ignore[arg-type]
    reject_unknown_keys(mapping, set(defaults), where)
    values: dict[str, Any] = {}
    for name, raw in mapping.items():
        _check_type(where, name, defaults[name], raw)
        values[name] = float(raw) if isinstance(defaults[name], float) else raw
    try:
        return replace(base, **values)  # type: ignore[type-var]
    except ValueError as error:
        raise InvalidConfiguration(f"{where}: {error}") from error


def dataclass_from_mapping(cls: type[ConfigT], mapping: Mapping[str, Any], where: str) -> ConfigT:
    """Instantiate a flat dataclass from `mapping`; missing keys keep the class defaults."""
    return override_from_mapping(cls(), mapping, where)
