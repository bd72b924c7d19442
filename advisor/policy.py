"""The policy of ``advisor check``: its settings and waivers, read from ``.advisor.yaml``
or ``[tool.advisor]`` of ``pyproject.toml`` and validated with file and line.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import yamlfile
from .discovery import DEFAULT_PATTERNS, find_policy_document, pyproject_document
from .errors import PolicyError
from .rulepack import RulePack
from .workload import suggest

DEFAULT_MARGIN = 3
FailOn = Literal["veto", "mismatch", "warn"]
FAIL_ON: tuple[str, ...] = ("veto", "mismatch", "warn")
_KEYS = ("margin", "fail_on", "allowed", "require_declared", "patterns", "packs", "waivers")
_WAIVER_KEYS = ("workload", "option", "rule", "reason", "expires")


@dataclass(frozen=True)
class Waiver:
    """An accepted finding: for a workload (a name or glob), an option or a rule, with a reason."""

    workload: str
    option: str | None
    rule: str | None
    reason: str
    expires: _dt.date | None
    where: str

    def applies_to(self, name: str) -> bool:
        """Whether this waiver names the workload (exactly or by glob)."""
        return name == self.workload or fnmatchcase(name, self.workload)

    def expired(self, today: _dt.date) -> bool:
        """Whether the waiver has lapsed (it holds through its ``expires`` day)."""
        return self.expires is not None and today > self.expires

    def view(self) -> WaiverView:
        """The waiver as a result reports it."""
        expires = self.expires.isoformat() if self.expires else None
        return WaiverView(
            workload=self.workload, option=self.option, rule=self.rule, reason=self.reason, expires=expires,
            where=self.where,
        )


@dataclass(frozen=True)
class Policy:
    """What the check enforces; every setting has a default."""

    source: str | None = None
    margin: int = DEFAULT_MARGIN
    fail_on: FailOn = "mismatch"
    allowed: tuple[str, ...] | None = None
    require_declared: bool = False
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    packs: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    doc: yamlfile.Document | None = field(default=None, compare=False, repr=False)

    def allows(self, option: str) -> bool:
        """Whether the policy lets a workload run on this option."""
        return self.allowed is None or option in self.allowed

    def check_against(self, pack: RulePack) -> None:
        """Raise :class:`PolicyError` for an option or rule the pack does not know."""
        for i, option in enumerate(self.allowed or ()):
            if option not in pack.options:
                self._fail(("allowed", i), f"unknown option '{option}'{suggest(option, pack.options)}")
        rule_ids = [r.id for r in pack.rules]
        for i, waiver in enumerate(self.waivers):
            if waiver.option is not None and waiver.option not in pack.options:
                self._fail(
                    ("waivers", i, "option"), f"unknown option '{waiver.option}'{suggest(waiver.option, pack.options)}"
                )
            if waiver.rule is not None and waiver.rule not in rule_ids:
                self._fail(("waivers", i, "rule"), f"unknown rule '{waiver.rule}'{suggest(waiver.rule, rule_ids)}")

    def _fail(self, loc: tuple, message: str) -> None:
        raise _error(self.doc, loc, message)


def _error(doc: yamlfile.Document | None, loc: tuple, message: str) -> PolicyError:
    field_name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    if doc is None:
        return PolicyError(message, field=field_name or None)
    return PolicyError(message, path=doc.source, line=doc.line_of(loc), field=field_name or None)


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
    data = doc.data
    if not isinstance(data, dict):
        raise _error(doc, (), f"a policy must be a mapping, got {yamlfile.describe(data)}")
    for key in data:
        if key not in _KEYS:
            raise _error(doc, (key,), f"unknown key '{key}'{suggest(str(key), _KEYS)}")
    settings: dict[str, Any] = {"source": doc.source, "doc": doc}
    if "margin" in data:
        margin = data["margin"]
        if not isinstance(margin, int) or isinstance(margin, bool) or margin < 0:
            raise _error(doc, ("margin",), f"must be a whole number of points, 0 or more, got {_shown(margin)}")
        settings["margin"] = margin
    if "fail_on" in data:
        if data["fail_on"] not in FAIL_ON:
            raise _error(doc, ("fail_on",), f"must be one of {', '.join(FAIL_ON)}, got {_shown(data['fail_on'])}")
        settings["fail_on"] = data["fail_on"]
    if "require_declared" in data:
        if not isinstance(data["require_declared"], bool):
            raise _error(doc, ("require_declared",), f"expected true or false, got {_shown(data['require_declared'])}")
        settings["require_declared"] = data["require_declared"]
    if "allowed" in data:
        settings["allowed"] = _strings(doc, "allowed", data["allowed"])
    if "patterns" in data:
        settings["patterns"] = _strings(doc, "patterns", data["patterns"])
    if "packs" in data:
        base = folder or Path(doc.source).parent
        packs = []
        for i, name in enumerate(_strings(doc, "packs", data["packs"])):
            path = base / name
            if not path.is_file():
                raise _error(doc, ("packs", i), f"no such rule pack: {name}")
            packs.append(path.as_posix())
        settings["packs"] = tuple(packs)
    if "waivers" in data:
        waivers = data["waivers"]
        if not isinstance(waivers, list):
            raise _error(doc, ("waivers",), f"must be a list of waivers, got {yamlfile.describe(waivers)}")
        settings["waivers"] = tuple(_waiver(doc, i, w) for i, w in enumerate(waivers))
    return Policy(**settings)


def _shown(value: Any) -> str:
    """A value in a message, with its kind: a string 'x', a number '3', nothing."""
    return "nothing" if value is None else f"{yamlfile.describe(value)} '{value}'"


def _strings(doc: yamlfile.Document, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _error(doc, (key,), f"must be a non-empty list, got {yamlfile.describe(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _error(doc, (key, i), f"must be a non-empty string, got {yamlfile.describe(item)}")
    return tuple(value)


def _waiver(doc: yamlfile.Document, index: int, body: Any) -> Waiver:
    loc: tuple = ("waivers", index)
    if not isinstance(body, dict):
        raise _error(doc, loc, f"a waiver must be a mapping, got {yamlfile.describe(body)}")
    for key in body:
        if key not in _WAIVER_KEYS:
            raise _error(doc, (*loc, key), f"unknown key '{key}'{suggest(str(key), _WAIVER_KEYS)}")
    for key in ("workload", "reason"):
        value = body.get(key)
        if value is None:
            raise _error(doc, loc, f"'{key}' is missing; every waiver needs one")
        if not isinstance(value, str) or not value.strip():
            raise _error(doc, (*loc, key), f"'{key}' must be a non-empty string")
    named = [k for k in ("option", "rule") if body.get(k) is not None]
    if len(named) != 1:
        raise _error(doc, loc, "a waiver names either an 'option' or a 'rule' (one of them)")
    if not isinstance(body[named[0]], str):
        raise _error(doc, (*loc, named[0]), f"expected a string, got {yamlfile.describe(body[named[0]])}")
    expires = body.get("expires")
    if expires is not None:
        expires = _date(doc, (*loc, "expires"), expires)
    line = doc.line_of(loc)
    return Waiver(
        workload=body["workload"],
        option=body.get("option"),
        rule=body.get("rule"),
        reason=" ".join(body["reason"].split()),
        expires=expires,
        where=f"{doc.source}:{line}" if line else doc.source,
    )


def _date(doc: yamlfile.Document, loc: tuple, value: Any) -> _dt.date:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _error(doc, loc, f"expected a date (YYYY-MM-DD), got {_shown(value)}")


class WaiverView(BaseModel):
    """A waiver as a check result reports it, with where the policy states it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workload: str
    option: str | None
    rule: str | None
    reason: str
    expires: str | None
    where: str
