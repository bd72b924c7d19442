"""Records: the frozen plain classes advisor's data is made of, and their plain-data form.

Records are standard dataclasses, so building or reading one loads no validation
machinery; pydantic validates what comes from files (see :mod:`advisor.validation`) and
describes records in JSON Schema, off the path of an ordinary run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

__all__ = ["record", "replace", "to_data"]

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    """A frozen dataclass with slots, built by keyword (its JSON Schema allows no other keys)."""
    cls.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


def to_data(value: Any) -> Any:
    """``value`` as JSON-ready data: records as mappings of their fields in order, tuples as lists."""
    names = getattr(type(value), "__dataclass_fields__", None)
    if names is not None:
        return {name: to_data(getattr(value, name)) for name in names}
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    return value
