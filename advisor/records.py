"""Records: the frozen plain classes advisor's data is made of, and their plain-data form.

A record is a standard dataclass (``dataclasses.fields`` and ``replace`` work on it, and
pydantic validates and describes it in JSON Schema, off the path of an ordinary run),
built by keyword and frozen. Its methods are shared functions, not code generated per
class: a dataclass compiles six methods for each class, and the thirty records of a
decision, a workload and a pack cost a start-up of ``advisor decide`` about 20 ms so.
"""

from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, replace
from typing import Any, TypeVar

__all__ = ["record", "replace", "to_data"]

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    """A frozen dataclass built by keyword, with shared methods (its JSON Schema allows no other keys)."""
    dataclass(init=False, repr=False, eq=False)(cls)  # fields only: no method is generated
    fields = cls.__dataclass_fields__.values()  # type: ignore[attr-defined]
    cls.__record_init__ = tuple((f.name, f.default, f.default_factory) for f in fields if f.init)  # type: ignore[attr-defined]
    cls.__record_shown__ = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    cls.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
    for name, method in _METHODS.items():
        if name not in cls.__dict__:
            setattr(cls, name, method)
    return cls


def _init(self: Any, **given: Any) -> None:
    values = self.__dict__
    for name, default, factory in type(self).__record_init__:
        if name in given:
            values[name] = given.pop(name)
        elif factory is not MISSING:
            values[name] = factory()
        elif default is not MISSING:
            values[name] = default
        else:
            raise TypeError(f"{type(self).__name__}() missing required keyword argument: '{name}'")
    if given:
        raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument '{next(iter(given))}'")
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()


def _eq(self: Any, other: Any) -> Any:
    if type(other) is not type(self):
        return NotImplemented
    return self.__dict__ == other.__dict__


def _hash(self: Any) -> int:
    return hash(tuple(self.__dict__.values()))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={self.__dict__.get(name)!r}" for name in type(self).__record_shown__)
    return f"{type(self).__qualname__}({shown})"


def _frozen(self: Any, name: str, *value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


_METHODS = {
    "__init__": _init,
    "__eq__": _eq,
    "__hash__": _hash,
    "__repr__": _repr,
    "__setattr__": _frozen,
    "__delattr__": _frozen,
}


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
