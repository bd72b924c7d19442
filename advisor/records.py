"""Records: the frozen plain classes advisor's data is made of, and their plain-data form.

A record is a standard dataclass (``dataclasses.fields`` and ``replace`` work on it, and
pydantic reads a record's JSON back and describes it in JSON Schema, off the path of an
ordinary run), built by keyword and frozen. What comes from files is judged by the strict
pydantic models of :mod:`advisor.workload_model` and :mod:`advisor.rulepack_model`; a
record checks only what its ``__post_init__`` says. Its methods are shared functions, not code generated per
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
    cls.__record_compared__ = tuple(f.name for f in fields if f.compare)  # type: ignore[attr-defined]
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


def _compared(self: Any) -> tuple[Any, ...]:
    values = self.__dict__
    return tuple(values[name] for name in type(self).__record_compared__)


def _eq(self: Any, other: Any) -> Any:
    if type(other) is not type(self):
        return NotImplemented
    return _compared(self) == _compared(other)


def _hash(self: Any) -> int:
    return hash(_compared(self))


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
    """``value`` as JSON-ready data: records as mappings of their fields in order (those it
    is built from: a field it works out itself is left out), tuples as lists."""
    init = getattr(type(value), "__record_init__", None)
    if init is not None:
        return {name: to_data(getattr(value, name)) for name, _, _ in init}
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    return value
