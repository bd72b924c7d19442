"""Turning what pydantic finds wrong in a file into ``file:line: field: what`` lines.

Workloads, rule packs and policies are pydantic models validated from parsed documents;
:func:`problems` is the one place their ``ValidationError`` becomes located problems.
Values shown in messages go through :func:`shown`, which cuts long ones and never fails
(``str()`` of an integer of more than 4,300 digits raises).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

# pydantic_core's, as pydantic's own are: importing pydantic's models here would load their
# machinery on every start, and only a file with a problem comes this far.
from pydantic_core import PydanticCustomError, ValidationError

from . import yamlfile
from .errors import AdvisorError, visible

if TYPE_CHECKING:
    from pydantic import BaseModel

Loc = tuple[str | int, ...]


def format_value(value: Any) -> str:
    """A value as a user would write it in YAML (an integer too long to print in hexadecimal)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            return hex(value)
    return str(value)


def shown(value: Any) -> str:
    """A value for a message: as written in YAML, cut to about 60 characters."""
    return yamlfile.cut(format_value(value))


def suggest(name: Any, known: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint for a misspelt name, or ''."""
    if not isinstance(name, str):
        return ""
    import difflib  # only a message with a problem asks

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def fail(message: str) -> PydanticCustomError:
    """An error a validator raises, whose message the translator passes on as it is."""
    # A lone surrogate from the file (shown in the message) would break pydantic's own
    # rendering of the error; it is shown as an escape instead.
    return PydanticCustomError("advisor", "{message}", {"message": visible(message)})


def raise_all(errors: list[tuple[Loc, str]], value: Any) -> None:
    """Raise every ``(loc, message)`` at once (locations relative to the value validated),
    so that each is reported."""
    if errors:
        details = [{"type": fail(message), "loc": loc, "input": value} for loc, message in errors]
        raise ValidationError.from_exception_data("advisor", details)  # type: ignore[arg-type]


class Problem(NamedTuple):
    """One thing wrong with a file, located as precisely as known."""

    path: str
    line: int | None
    field: str | None
    message: str

    def error(self, kind: type[AdvisorError], more: str = "") -> AdvisorError:
        """This problem as the error ``kind`` (with ``more`` after its message)."""
        return kind(self.message + more, path=self.path, line=self.line, field=self.field)

    def __str__(self) -> str:
        return str(self.error(AdvisorError))


class Wording(NamedTuple):
    """How one kind of file words the problems pydantic finds by itself.

    ``noun`` names an unknown key ("field" in a workload). With ``path_names_key`` the
    field part of a line is the path of the value at fault and messages do not repeat
    its name; otherwise ``label`` gives the field part (a rule's id, say) and messages
    name the key.
    """

    noun: str = "key"
    path_names_key: bool = False
    label: Callable[[Loc], str | None] | None = None


def dotted(loc: Loc) -> str | None:
    """A path as ``a.b``."""
    return ".".join(str(p) for p in loc) or None


def bracketed(loc: Loc) -> str | None:
    """A path as ``a[0].b``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or None


def problems(exc: ValidationError, doc: yamlfile.Document, model: type[BaseModel], wording: Wording) -> list[Problem]:
    """Every error of ``exc`` as a located problem, in the order of the file's lines; on
    one line, a mapping's unknown keys first, then the others in the order of the model's fields."""
    found = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if p != "[key]")
        if err["type"] == "invalid_key" and loc:  # pydantic shows such a key as text of its own
            loc = loc[:-1] + (err["input"],)
        parent, leaf = loc[:-1], (loc[-1] if loc else "")
        message, at = _message(err, model, parent, leaf, wording)
        where = at if at is not None else loc
        label = (wording.label or dotted)(where)
        found.append((loc, err["type"] == "extra_forbidden", Problem(doc.source, _line(doc, loc), label, message)))
    ordered = [p for _, _, p in sorted(found, key=_order(found))]
    return sorted(ordered, key=lambda p: p.line or 0)


def _order(found: list[tuple[Loc, bool, Problem]]) -> Callable[[tuple[Loc, bool, Problem]], tuple[int, int, int]]:
    # pydantic reports a mapping's unknown keys after the problems of its known ones;
    # people read a mapping's unknown keys first (a misspelt key explains a missing one).
    first: dict[Loc, int] = {}
    for index, (loc, _, _) in enumerate(found):
        for end in range(len(loc) + 1):
            first.setdefault(loc[:end], index)
    position = {id(item): index for index, item in enumerate(found)}

    def key(item: tuple[Loc, bool, Problem]) -> tuple[int, int, int]:
        loc, extra, _ = item
        index = position[id(item)]
        return (first[loc[:-1]], 0, index) if extra else (index, 1, index)

    return key


def _message(err: Any, model: type[BaseModel], parent: Loc, leaf: Any, wording: Wording) -> tuple[str, Loc | None]:
    """What is wrong, and the path to name in the line when it is not the error's own."""
    kind, value = err["type"], err.get("input")
    name = shown(leaf)
    if kind == "advisor":
        return err["ctx"]["message"], None
    if kind in ("extra_forbidden", "invalid_key"):  # invalid_key: a key YAML read as a number or boolean
        return f"unknown {wording.noun} '{name}'{suggest(leaf, _known(model, parent))}", parent
    if kind == "missing":
        if wording.path_names_key:
            return "required field is missing", None
        return f"'{name}' is missing", parent
    named = not wording.path_names_key and isinstance(leaf, str)
    expected = f"'{name}' must be" if named else "expected"
    if kind == "literal_error":
        allowed = ", ".join(format_value(v) for v in _literal_values(model, parent + (leaf,)))
        return f"'{shown(value)}' is not allowed; choose one of {allowed}", None
    if kind == "bool_type":
        return f"{expected} true or false, got {yamlfile.describe(value)} '{shown(value)}'", None
    if kind in ("string_type", "model_type", "dict_type", "list_type", "tuple_type"):
        wanted = {"string_type": "a string", "list_type": "a list", "tuple_type": "a list"}.get(kind, "a mapping")
        hint = " (quote it)" if kind == "string_type" and yamlfile.is_plain_scalar(value) else ""
        return f"{expected} {wanted}, got {yamlfile.describe(value)}{hint}", None
    if kind == "string_too_short":
        return f"{name + ' ' if named else ''}must not be empty", None
    if kind == "string_too_long":
        return f"{name + ' ' if named else ''}must be at most {err['ctx']['max_length']} characters long", None
    return f"{name + ': ' if named else ''}{err['msg']}", None


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The type the model declares at ``loc`` (None when it cannot tell)."""
    target: Any = model
    for part in loc:
        target = _unwrap(target)
        if _is_model(target):
            info = next((i for n, i in target.model_fields.items() if part in (n, i.alias)), None)
            target = info.annotation if info else None
        elif get_origin(target) is dict:
            target = get_args(target)[1]
        elif get_origin(target) in (list, tuple) and get_args(target):
            target = get_args(target)[0]
        else:
            return None
    return target


def _is_model(target: Any) -> bool:
    """Whether ``target`` is a pydantic model class."""
    from pydantic import BaseModel

    return isinstance(target, type) and issubclass(target, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``X | None`` or ``Annotated[X, ...]``."""
    while True:
        if get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        elif get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        else:
            return annotation


def _known(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model accepts at ``loc``, for a did-you-mean hint."""
    target = _unwrap(_annotation_at(model, loc))
    if _is_model(target):
        return [info.alias or name for name, info in target.model_fields.items()]
    return []


def _literal_values(model: type[BaseModel], loc: Loc) -> tuple[Any, ...]:
    """The values a literal field at ``loc`` accepts."""
    target = _unwrap(_annotation_at(model, loc))
    return get_args(target) if get_origin(target) is Literal else ()


def _line(doc: yamlfile.Document, loc: Loc) -> int | None:
    """The line of the deepest key along ``loc`` (keys YAML read as numbers or booleans included)."""
    path: tuple[str | int, ...] = ()
    for part in loc:
        if path + (part,) in doc.lines:
            path += (part,)
        elif not isinstance(part, str) and path + (format_value(part),) in doc.lines:
            path += (format_value(part),)
        else:
            break
    return doc.line_of(path)


def first_error(
    exc: ValidationError, doc: yamlfile.Document, model: type[BaseModel], wording: Wording, kind: type[AdvisorError]
) -> AdvisorError:
    """The first problem of ``exc`` as one line, saying how many more there are."""
    found = problems(exc, doc, model, wording)
    more = len(found) - 1
    return found[0].error(kind, f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
