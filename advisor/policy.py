"""The CI check: the policy, a verdict per workload file, waivers, and the overall result.

A workload that declares a platform passes when the declared option is the best one
the policy allows (or ties for it), warns when it trails the best by at most the
policy's margin, and fails when it is vetoed, not allowed by the policy, or trails by
more. What fails the build is set by ``fail_on``: a finding below that level is only a
warning. The result is a model; the command turns it into an exit code.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import yamlfile
from .decision import ClaimView, Decision, FiredRule, PackInfo, add_up
from .discovery import DEFAULT_PATTERNS, POLICY_FILES, find_upwards, find_workloads, folders_upwards, shown_relative
from .errors import AdvisorError, InputError, PolicyError
from .rulepack import RulePack
from .workload import suggest, workload_from_document

SCHEMA_VERSION = 1
DEFAULT_MARGIN = 3
FailOn = Literal["veto", "mismatch", "warn"]
FAIL_ON: tuple[str, ...] = ("veto", "mismatch", "warn")
Verdict = Literal["pass", "warn", "fail", "unchecked", "error"]
VERDICTS: tuple[str, ...] = ("pass", "warn", "fail", "unchecked", "error")
Finding = Literal["vetoed", "not_allowed", "mismatch", "close", "undeclared"]
# How grave each finding is, on the scale of fail_on (undeclared fails whenever it is a finding).
_LEVEL = {"vetoed": 3, "not_allowed": 3, "mismatch": 2, "close": 1}
_FAIL_LEVEL = {"veto": 3, "mismatch": 2, "warn": 1}
_KEYS = ("margin", "fail_on", "allowed", "require_declared", "patterns", "packs", "waivers")
_WAIVER_KEYS = ("workload", "option", "rule", "reason", "expires")


# --- the policy -----------------------------------------------------------------------


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
        return fnmatchcase(name, self.workload)

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
        doc = _pyproject_document(Path(path), str(path))
        if doc is None:
            raise PolicyError("has no [tool.advisor] table", path=str(path))
        return policy_from_document(doc)
    return policy_from_document(yamlfile.load(path, PolicyError))


def find_policy(cwd: Path) -> Policy:
    """The policy that applies in ``cwd``: ``.advisor.yaml`` in it or a folder above, else
    ``[tool.advisor]`` of the nearest ``pyproject.toml`` that has one, else the defaults."""
    found = find_upwards(cwd, POLICY_FILES)
    if found is not None:
        text, _ = yamlfile.read_text(found, PolicyError)
        doc = yamlfile.parse(text, shown_relative(found, cwd), PolicyError)
        return policy_from_document(doc, found.parent)
    for folder in folders_upwards(cwd):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            doc = _pyproject_document(candidate, shown_relative(candidate, cwd))
            if doc is not None:
                return policy_from_document(doc, folder)
    return Policy()


def _pyproject_document(path: Path, shown: str) -> yamlfile.Document | None:
    """The ``[tool.advisor]`` table of a pyproject file as a document with key lines, or None."""
    text, _ = yamlfile.read_text(path, PolicyError)
    source = shown
    if "advisor" not in text:  # most pyproject files say nothing to advisor; skip parsing them
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\s*\(at line (\d+), column \d+\)", str(exc))
        message = str(exc)[: match.start()] if match else str(exc)
        line = int(match.group(1)) if match else None
        raise PolicyError(f"invalid TOML: {message}", path=source, line=line) from None
    table = data.get("tool", {}).get("advisor") if isinstance(data.get("tool"), dict) else None
    if table is None:
        return None
    return yamlfile.Document(data=table, source=source, lines=_toml_lines(text))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(["']?)([A-Za-z0-9_-]+)\1\s*=""")


def _toml_lines(text: str) -> dict[tuple, int]:
    """The lines of the keys of ``[tool.advisor]`` and its ``[[tool.advisor.waivers]]``."""
    lines: dict[tuple, int] = {}
    table: tuple | None = None
    waivers = -1
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            name = re.sub(r"\s", "", header.group(2)).replace('"', "")
            if name == "tool.advisor" and header.group(1) == "[":
                table = ()
            elif name == "tool.advisor.waivers" and header.group(1) == "[[":
                waivers += 1
                table = ("waivers", waivers)
                lines.setdefault(("waivers",), number)
            else:
                table = None
            if table is not None:
                lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key and table is not None:
            lines.setdefault((*table, key.group(2)), number)
    return lines


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
            raise _error(doc, ("fail_on",), f"'{_shown(data['fail_on'])}' is not one of {', '.join(FAIL_ON)}")
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
    return f"{yamlfile.describe(value)} '{value}'" if not isinstance(value, str) else value


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


# --- the result -----------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WaiverView(_Model):
    """A waiver as the result reports it, with where the policy states it."""

    workload: str
    option: str | None
    rule: str | None
    reason: str
    expires: str | None
    where: str


class WorkloadVerdict(_Model):
    """The verdict on one workload file."""

    path: str
    line: int | None = None
    workload: str | None = None
    verdict: Verdict
    finding: Finding | None = None
    declared: str | None = None
    recommendation: str | None = None
    tied: list[str] = []
    loss: int | None = None
    scores: dict[str, int] = {}
    rules: list[str] = []
    waivers: list[WaiverView] = []
    expired: list[WaiverView] = []
    error: str | None = None


class PolicyView(_Model):
    """The policy in force, as the result reports it."""

    source: str | None
    margin: int
    fail_on: FailOn
    allowed: list[str] | None
    require_declared: bool
    patterns: list[str]


class CheckResult(_Model):
    """The outcome of a check over many workload files."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pack: PackInfo
    policy: PolicyView
    counts: dict[str, int]
    results: list[WorkloadVerdict]
    rules: list[FiredRule]
    claims: list[ClaimView]
    expired_waivers: list[WaiverView]

    @property
    def failed(self) -> bool:
        """Whether any workload failed the policy."""
        return self.counts["fail"] > 0

    @property
    def errored(self) -> bool:
        """Whether any file could not be checked."""
        return self.counts["error"] > 0


# --- checking -------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def run_check(
    paths: Sequence[str],
    *,
    policy_path: str | None = None,
    rules_path: str | None = None,
    patterns: Sequence[str] = (),
    fail_on: str | None = None,
    require_declared: bool = False,
    today: _dt.date | None = None,
    cwd: Path | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Find the policy and the workload files under ``paths`` and check them all.

    Arguments other than ``paths`` override the policy when given.
    """
    from . import api

    cwd = cwd or Path(os.getcwd())
    policy = load_policy(policy_path) if policy_path else find_policy(cwd)
    overrides: dict[str, Any] = {}
    if patterns:
        overrides["patterns"] = tuple(patterns)
    if fail_on:
        overrides["fail_on"] = fail_on
    if require_declared:
        overrides["require_declared"] = True
    policy = replace(policy, **overrides)
    pack = api.load_rules(rules_path, extra=policy.packs)
    policy.check_against(pack)
    files, unreadable = find_workloads(paths, policy.patterns)
    if not files and not unreadable:
        raise InputError(
            f"no workload files in {', '.join(paths)} (patterns: {', '.join(policy.patterns)})", field="PATH"
        )
    return check_files(files, pack, policy, today=today or _dt.date.today(), unreadable=unreadable, progress=progress)


def check_files(
    files: Sequence[str],
    pack: RulePack,
    policy: Policy,
    *,
    today: _dt.date,
    unreadable: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> CheckResult:
    """Check workload files against a policy.

    A file that cannot be read or is invalid, like each ``(path, problem)`` of
    ``unreadable``, gets an ``error`` verdict; the others are still checked.
    """
    decisions: dict[tuple, Decision] = {}
    results = [WorkloadVerdict(path=p, verdict="error", error=f"{p}: {problem}") for p, problem in unreadable]
    total = len(files)
    for done, path in enumerate(files, 1):
        results.append(_check_file(path, pack, policy, today, decisions))
        if progress is not None and (done % 100 == 0 or done == total):
            progress(done, total)
    results.sort(key=lambda r: r.path)
    counts = dict.fromkeys(VERDICTS, 0)
    for result in results:
        counts[result.verdict] += 1
    named = {rule for r in results for rule in r.rules}
    rules = [
        FiredRule(
            rule=r.id, dimension=r.dimension, condition=r.when.describe(), effects=r.effects, because=r.because,
            sources=list(r.sources),
        )
        for r in pack.rules
        if r.id in named
    ]
    cited = {cid for r in rules for cid in r.sources}
    return CheckResult(
        pack=PackInfo(name=pack.name, version=pack.version, title=pack.title, source=pack.source),
        policy=PolicyView(
            source=policy.source, margin=policy.margin, fail_on=policy.fail_on,
            allowed=list(policy.allowed) if policy.allowed is not None else None,
            require_declared=policy.require_declared, patterns=list(policy.patterns),
        ),
        counts=counts,
        results=results,
        rules=rules,
        claims=[ClaimView(id=c.id, section=c.section, quote=c.quote, text=c.text) for c in pack.claims.values()
                if c.id in cited],
        expired_waivers=[w.view() for w in policy.waivers if w.expired(today)],
    )


def _check_file(
    path: str, pack: RulePack, policy: Policy, today: _dt.date, decisions: dict[tuple, Decision]
) -> WorkloadVerdict:
    from .engine import evaluate

    try:
        doc = yamlfile.load(path, InputError)
        workload = workload_from_document(doc, pack.options)
        # Identical requirement sets are decided once; only the scores and rules are used.
        key = tuple(workload.requirements.stated().items())
        decision = decisions.get(key)
        if decision is None:
            decision = decisions[key] = evaluate(workload, pack, counterfactuals=False)
    except AdvisorError as exc:
        return WorkloadVerdict(path=path, line=exc.line, verdict="error", error=str(exc))
    return judge(path, doc.line_of(("declared",)), workload.name, workload.declared, decision, pack, policy, today)


def judge(
    path: str,
    line: int | None,
    name: str,
    declared: str | None,
    decision: Decision,
    pack: RulePack,
    policy: Policy,
    today: _dt.date,
) -> WorkloadVerdict:
    """The verdict on a workload that declares ``declared``, given its decision."""
    fired = [f.rule for f in decision.fired]
    active: list[Waiver] = []
    expired: list[Waiver] = []
    for waiver in policy.waivers:
        relevant = (waiver.option is not None and waiver.option == declared) or waiver.rule in fired
        if relevant and waiver.applies_to(name):
            (expired if waiver.expired(today) else active).append(waiver)
    waived_rules = [w for w in active if w.rule is not None]
    scores, vetoes = decision.scores, decision.vetoes
    if waived_rules:
        left = {w.rule for w in waived_rules}
        scores, vetoes = add_up(pack, [r for r in fired if r not in left])
    candidates = [o for o in pack.options if policy.allows(o) and o not in vetoes]
    top = max((scores[o] for o in candidates), default=None)
    best = [o for o in candidates if scores[o] == top]
    finding: str | None = None
    loss: int | None = None
    rules: list[str] = []
    if declared is None:
        finding = "undeclared" if policy.require_declared else None
    elif not policy.allows(declared):
        finding = "not_allowed"
    elif declared in vetoes:
        finding = "vetoed"
        rules = list(vetoes[declared])
    else:
        loss = top - scores[declared]
        if loss > 0:
            finding = "mismatch" if loss > policy.margin else "close"
            rules = _favouring(pack, [r for r in fired if r not in {w.rule for w in waived_rules}], best[0], declared)
    option_waivers = [w for w in active if w.option is not None and w.option == declared]
    used = waived_rules + (option_waivers if finding else [])
    if declared is None:
        verdict = "fail" if finding else "unchecked"
    elif finding is None or option_waivers:
        verdict = "pass"
    else:
        verdict = "fail" if _LEVEL[finding] >= _FAIL_LEVEL[policy.fail_on] else "warn"
    return WorkloadVerdict(
        path=path,
        line=line,
        workload=name,
        verdict=verdict,
        finding=finding,
        declared=declared,
        recommendation=best[0] if len(best) == 1 else None,
        tied=best if len(best) > 1 else [],
        loss=loss,
        scores=scores,
        rules=rules,
        waivers=[w.view() for w in used],
        expired=[w.view() for w in expired],
    )


def _favouring(pack: RulePack, fired: list[str], better: str, declared: str) -> list[str]:
    """The fired rules that favour ``better`` over ``declared``, the strongest first."""
    gains = []
    for order, rule_id in enumerate(fired):
        effects = pack.rule(rule_id).effects
        gain = _points(effects.get(better, 0)) - _points(effects.get(declared, 0))
        if gain > 0:
            gains.append((-gain, order, rule_id))
    return [rule_id for _, _, rule_id in sorted(gains)]


def _points(effect: int | str) -> int:
    return effect if isinstance(effect, int) else 0
