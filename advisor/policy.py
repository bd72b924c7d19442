"""The policy of ``advisor check``: its settings and waivers, read from ``.advisor.yaml``
or ``[tool.advisor]`` of ``pyproject.toml`` and validated with file and line.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from . import yamlfile
from .discovery import DEFAULT_PATTERNS, find_policy_document, pyproject_document
from .errors import PolicyError
from .rulepack import RulePack
from .translation import LANGUAGES
from .validation import Wording, bracketed, fail, problems, shown, suggest

DEFAULT_MARGIN = 3
# No two scores can differ by more: at most 500 rules of at most 100 points each way.
MAX_MARGIN = 100_000
FailOn = Literal["veto", "mismatch", "warn"]
FAIL_ON: tuple[str, ...] = ("veto", "mismatch", "warn")


@dataclass(frozen=True)
class _Context:
    """What a policy is validated against: its file, the folder of its packs, the rule pack."""

    doc: yamlfile.Document | None = None
    folder: Path | None = None
    pack: RulePack | None = None


def _given(value: Any) -> str:
    """A value in a message, with its kind: a string 'x', a number '3', nothing."""
    if value is None:
        return "nothing"
    return f"{yamlfile.describe(value)} '{yamlfile.cut(str(value)) if isinstance(value, bool) else shown(value)}'"


def _text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"'{info.field_name}' must be a non-empty string")
    return value


def _name(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise fail(f"expected a string, got {yamlfile.describe(value)}")
    pack = info.context.pack if isinstance(info.context, _Context) else None
    if pack is not None:
        known = pack.options if info.field_name in ("allowed", "option") else [r.id for r in pack.rules]
        if value not in known:
            kind = "rule" if info.field_name == "rule" else "option"
            raise fail(f"unknown {kind} '{shown(value)}'{suggest(value, known)}")
    return value


def _strings(value: Any) -> Any:
    if not isinstance(value, (list, tuple)) or not value:
        what = "an empty list" if isinstance(value, (list, tuple)) else yamlfile.describe(value)
        raise fail(f"must be a non-empty list, got {what}")
    return value


def _item(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"must be a non-empty string, got {yamlfile.describe(value)}")
    return value


def _date(value: Any) -> _dt.date:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(f"expected a date (YYYY-MM-DD), got {_given(value)}")


Text = Annotated[str, PlainValidator(_text)]
Name = Annotated[str, PlainValidator(_name)]
Strings = Annotated[tuple[Annotated[str, PlainValidator(_item)], ...], BeforeValidator(_strings)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Waiver(_Model):
    """An accepted finding: for a workload (a name or glob), an option or a rule, with a reason."""

    workload: Text | None = None
    option: Name | None = None
    rule: Name | None = None
    reason: Text | None = None
    expires: Annotated[_dt.date, PlainValidator(_date)] | None = None
    _where: str = PrivateAttr("")

    @model_validator(mode="after")
    def _complete(self) -> Waiver:
        for key in ("workload", "reason"):
            if getattr(self, key) is None:
                raise fail(f"'{key}' is missing; every waiver needs one")
        if (self.option is None) == (self.rule is None):
            raise fail("a waiver names either an 'option' or a 'rule' (one of them)")
        return self.model_copy(update={"reason": " ".join(self.reason.split())}) if self.reason else self

    @property
    def where(self) -> str:
        """Where the policy states it: ``file:line``."""
        return self._where

    def applies_to(self, name: str) -> bool:
        """Whether this waiver names the workload (exactly or by glob)."""
        return name == self.workload or fnmatchcase(name, self.workload or "")

    def expired(self, today: _dt.date) -> bool:
        """Whether the waiver has lapsed (it holds through its ``expires`` day)."""
        return self.expires is not None and today > self.expires

    def view(self) -> WaiverView:
        """The waiver as a result reports it."""
        expires = self.expires.isoformat() if self.expires else None
        return WaiverView(
            workload=self.workload or "", option=self.option, rule=self.rule, reason=self.reason or "",
            expires=expires, where=self.where,
        )


class Policy(_Model):
    """What the check enforces; every setting has a default."""

    margin: int = DEFAULT_MARGIN
    fail_on: FailOn = "mismatch"
    allowed: Annotated[tuple[Name, ...], BeforeValidator(_strings)] | None = None
    require_declared: bool = False
    patterns: Strings = DEFAULT_PATTERNS
    packs: Strings = ()
    waivers: tuple[Waiver, ...] = ()
    lang: Literal["en", "ru"] = "en"  # the language of the check's wording
    _source: str | None = PrivateAttr(None)
    _data: Any = PrivateAttr(None)
    _context: _Context = PrivateAttr(default_factory=_Context)

    @field_validator("margin", mode="plain")
    @classmethod
    def _margin(cls, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail(f"must be a whole number of points, 0 or more, got {_given(value)}")
        if value > MAX_MARGIN:
            raise fail(f"must be at most {MAX_MARGIN} points (no two scores differ by more), got {_given(value)}")
        return value

    @field_validator("fail_on", mode="plain")
    @classmethod
    def _fail_on(cls, value: Any) -> str:
        if value not in FAIL_ON or not isinstance(value, str):
            raise fail(f"must be one of {', '.join(FAIL_ON)}, got {_given(value)}")
        return value

    @field_validator("lang", mode="plain")
    @classmethod
    def _lang(cls, value: Any) -> str:
        if value not in LANGUAGES or not isinstance(value, str):
            raise fail(f"must be one of {', '.join(LANGUAGES)}, got {_given(value)}")
        return value

    @field_validator("require_declared", mode="plain")
    @classmethod
    def _bool(cls, value: Any) -> bool:
        if not isinstance(value, bool):
            raise fail(f"expected true or false, got {_given(value)}")
        return value

    @field_validator("packs")
    @classmethod
    def _packs(cls, names: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        context = info.context if isinstance(info.context, _Context) else _Context()
        if context.folder is None:
            return names
        paths = tuple(context.folder / name for name in names)
        for i, path in enumerate(paths):
            if not path.is_file():
                raise ValidationError.from_exception_data(
                    "Policy", [{"type": fail(f"no such rule pack: {shown(names[i])}"), "loc": (i,), "input": names[i]}]
                )
        return tuple(p.as_posix() for p in paths)

    @field_validator("waivers", mode="before")
    @classmethod
    def _waiver_list(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise fail(f"must be a list of waivers, got {yamlfile.describe(value)}")
        return value

    @field_validator("waivers")
    @classmethod
    def _locate(cls, waivers: tuple[Waiver, ...], info: ValidationInfo) -> tuple[Waiver, ...]:
        doc = info.context.doc if isinstance(info.context, _Context) else None
        if doc is not None:
            for i, waiver in enumerate(waivers):
                line = doc.line_of(("waivers", i))
                waiver._where = f"{doc.source}:{line}" if line else doc.source
        return waivers

    @model_validator(mode="wrap")
    @classmethod
    def _keep(cls, data: Any, handler: Any, info: ValidationInfo) -> Policy:
        # The input is kept so that check_against can validate it again, against a pack.
        policy = handler(data)
        policy._data = data
        if isinstance(info.context, _Context):
            policy._context = info.context
            policy._source = info.context.doc.source if info.context.doc else None
        return policy

    @property
    def source(self) -> str | None:
        """The policy file, as shown in messages (None for the defaults)."""
        return self._source

    def allows(self, option: str) -> bool:
        """Whether the policy lets a workload run on this option."""
        return self.allowed is None or option in self.allowed

    def check_against(self, pack: RulePack) -> None:
        """Raise :class:`PolicyError` for an option or rule the pack does not know."""
        context = _Context(self._context.doc, self._context.folder, pack)
        _validate(self._data if self._data is not None else {}, context)


_WORDING = Wording(label=bracketed)


def _validate(data: Any, context: _Context) -> Policy:
    doc = context.doc or yamlfile.Document(data=data, source=None)  # type: ignore[arg-type]
    if not isinstance(data, dict):
        raise PolicyError(f"a policy must be a mapping, got {yamlfile.describe(data)}", path=doc.source,
                          line=doc.line_of(()))
    try:
        return Policy.model_validate(data, context=context)
    except ValidationError as exc:
        raise problems(exc, doc, Policy, _WORDING)[0].error(PolicyError) from None


def load_policy(path: str | Path) -> Policy:
    """Read a policy file (YAML or JSON; ``pyproject.toml`` is read for its ``[tool.advisor]``)."""
    if Path(path).name == "pyproject.toml":
        doc = pyproject_document(Path(path), str(path))
        if doc is None:
            raise PolicyError("has no [tool.advisor] table", path=str(path))
        return policy_from_document(doc)
    return policy_from_document(yamlfile.load(path, PolicyError))


def find_policy(cwd: Path) -> Policy:
    """The policy that applies in ``cwd``: ``.advisor.yaml`` in it or a folder above, else
    ``[tool.advisor]`` of the nearest ``pyproject.toml`` that has one, else the defaults."""
    found = find_policy_document(cwd)
    return policy_from_document(*found) if found else Policy()


def policy_from_document(doc: yamlfile.Document, folder: Path | None = None) -> Policy:
    """Validate a parsed policy; the first problem raises :class:`PolicyError` with its line.

    Rule packs it names are found relative to ``folder`` (default: the policy file's).
    """
    return _validate(doc.data, _Context(doc, folder or Path(doc.source).parent))


class WaiverView(BaseModel):
    """A waiver as a check result reports it, with where the policy states it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    workload: str
    option: str | None
    rule: str | None
    reason: str
    expires: str | None
    where: str
