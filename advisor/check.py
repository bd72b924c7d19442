"""The CI check: a verdict per workload file under a policy, and the overall result.

A workload that declares a platform passes when the declared option is the best one
the policy allows (or ties for it), warns when it trails the best by at most the
policy's margin, and fails when it is vetoed, not allowed by the policy, or trails by
more. What fails the build is set by ``fail_on``: a finding below that level is only a
warning. The result (in :mod:`advisor.check_result`) is a model that knows its exit code; the
command returns it.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import yamlfile
from .baseline import compare, load_baseline
from .check_result import (  # noqa: F401  (the result's names, as they have always been imported from here)
    EXPIRING_DAYS,
    SCHEMA_VERSION,
    VERDICTS,
    CheckResult,
    FleetAdvice,
    PolicyView,
    Verdicts,
    WorkloadVerdict,
)
from .dates import today as date_of
from .discovery import find_workloads
from .errors import AdvisorError, InputError, visible_path
from .packviews import pack_views
from .policy import Policy, Waiver, find_policy, load_policy
from .rulepack import RulePack, load_rules
from .scoring import add_up, favouring
from .translation import check_language
from .workload import workload_from_document

# How grave each finding is, on the scale of fail_on (undeclared fails whenever it is a finding).
_LEVEL = {"vetoed": 3, "not_allowed": 3, "mismatch": 2, "close": 1}
_FAIL_LEVEL = {"veto": 3, "mismatch": 2, "warn": 1}


Progress = Callable[[int, int], None]


def run_check(
    paths: Sequence[str],
    *,
    policy_path: str | None = None,
    rules_path: str | None = None,
    patterns: Sequence[str] = (),
    fail_on: str | None = None,
    require_declared: bool = False,
    today: _dt.date | str | None = None,
    cwd: Path | None = None,
    progress: Progress | None = None,
    baseline: str | Path | None = None,
    lang: str | None = None,
) -> CheckResult:
    """Find the policy and the workload files under ``paths`` and check them all.

    ``today`` (a date or YYYY-MM-DD) is the day waivers are judged on; by default
    SOURCE_DATE_EPOCH's, else today in UTC. ``baseline`` names an earlier ``--format
    json`` result: then only new or worse findings fail. ``lang`` (en or ru) is the
    language of the wording. The other arguments override the policy when given.
    """
    if not isinstance(today, _dt.date):
        today = date_of(today)
    earlier = load_baseline(baseline) if baseline is not None else None
    cwd = cwd or Path(os.getcwd())
    policy = load_policy(policy_path) if policy_path else find_policy(cwd)
    overrides: dict[str, Any] = {}
    if patterns:
        overrides["patterns"] = tuple(patterns)
    if fail_on:
        overrides["fail_on"] = fail_on
    if require_declared:
        overrides["require_declared"] = True
    if lang:
        overrides["lang"] = check_language(lang)
    policy = policy.model_copy(update=overrides)
    pack = load_rules(rules_path, extra=policy.packs)
    policy.check_against(pack)
    files, unreadable = find_workloads(paths, policy.patterns)
    if not files and not unreadable:
        raise InputError(
            f"no workload files in {', '.join(paths)} (patterns: {', '.join(policy.patterns)})", field="PATH"
        )
    result = check_files(
        files, pack, policy, today=today, unreadable=unreadable, progress=progress, lang=policy.lang
    )
    if earlier is None:
        return result
    found = ((path, name, v.verdict, v.recommendation, v.tied) for path, _, name, v in result.entries())
    return result.model_copy(update={"baseline": compare(earlier, found)})


def check_files(
    files: Sequence[str],
    pack: RulePack,
    policy: Policy,
    *,
    today: _dt.date,
    unreadable: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
    lang: str = "en",
) -> CheckResult:
    """Check workload files against a policy, worded in ``lang``.

    A file that cannot be read or is invalid, like each ``(path, problem)`` of
    ``unreadable``, gets an ``error`` verdict; the others are still checked.
    """
    judge = _Judge(pack, policy, today)
    for path, problem in unreadable:
        judge.error(path, None, f"{visible_path(path)}: {problem}")
    total = len(files)
    for done, path in enumerate(files, 1):
        judge.file(path)
        if progress is not None and (done % 100 == 0 or done == total):
            progress(done, total)
    rows = judge.rows
    rows.sort(key=itemgetter(0))
    counts = dict.fromkeys(VERDICTS, 0)
    verdicts = [v.verdict for v in judge.judgements]
    for row in rows:
        counts[verdicts[row[3]]] += 1
    named = {rule for v in judge.judgements for rule in v.rules}
    views = pack_views(pack, lang)  # the rules and claims as decisions report them
    rules = [views.fired[r.id] for r in pack.rules if r.id in named]
    cited = {cid for r in rules for cid in r.sources}
    claims = {c.id: c for c in views.claims}
    return CheckResult(
        pack=views.info,
        policy=PolicyView(
            source=policy.source, margin=policy.margin, fail_on=policy.fail_on,
            allowed=list(policy.allowed) if policy.allowed is not None else None,
            require_declared=policy.require_declared, patterns=list(policy.patterns),
        ),
        counts=counts,
        results=Verdicts(rows, judge.judgements),
        rules=rules,
        claims=[claims[cid] for cid in pack.claims if cid in cited],
        expired_waivers=[w.view() for w in policy.waivers if w.expired(today)],
        # The day matters only to waivers: without any, the page is the same every day.
        today=today.isoformat() if policy.waivers else None,
        expiring_waivers=[w.view() for w in policy.waivers if _expiring(w, today)],
        lang=lang,
    )


def _expiring(waiver: Waiver, today: _dt.date) -> bool:
    """Whether a waiver still holds today but lapses within EXPIRING_DAYS."""
    return waiver.expires is not None and today <= waiver.expires <= today + _dt.timedelta(days=EXPIRING_DAYS)


class _Judge:
    """Judges files one by one. Files with the same outcome (verdict, scores, rules and
    waivers) share one judgement, so memory grows with the distinct outcomes, not with the
    files; a recent requirement outcome (fired rules, declared option, waivers) is not
    worked out again."""

    def __init__(self, pack: RulePack, policy: Policy, today: _dt.date) -> None:
        from .engine import compiled

        self.pack, self.policy, self.today = pack, policy, today
        self.engine = compiled(pack)
        self.options = list(pack.options)
        self.rows: list[tuple[str, int | None, str | None, int]] = []
        self.judgements: list[WorkloadVerdict] = []
        self._alike: dict[tuple, int] = {}
        self._recent: OrderedDict[tuple, int] = OrderedDict()

    def error(self, path: str, line: int | None, message: str) -> None:
        """Record a file that could not be checked."""
        self.judgements.append(WorkloadVerdict(path=path, line=line, verdict="error", error=message))
        self.rows.append((path, line, None, len(self.judgements) - 1))

    def file(self, path: str) -> None:
        """Read, decide and judge one workload file."""
        try:
            doc = yamlfile.load(path, InputError)
            workload = workload_from_document(doc, self.options)
            fired = self.engine.fired(workload.requirements)
        except AdvisorError as exc:
            self.error(path, exc.line, str(exc))
            return
        name, declared = workload.name, workload.declared
        waivers = tuple(w for w in self.policy.waivers if w.applies_to(name))
        key = (fired, declared, waivers)
        index = self._recent.get(key)
        if index is None:
            fields = judge(declared, fired, waivers, self.pack, self.policy, self.today)
            index = self._recent[key] = self._shared(fields)
            if len(self._recent) > RECENT_KEPT:
                self._recent.popitem(last=False)
        self.rows.append((path, doc.line_of(("declared",)), name, index))

    def _shared(self, fields: dict[str, Any]) -> int:
        """The index of the judgement with these fields, made the first time they are seen."""
        alike = tuple(tuple(v.items()) if isinstance(v, dict) else tuple(v) if isinstance(v, list) else v
                      for v in fields.values())
        index = self._alike.get(alike)
        if index is None:
            views = {k: [w.view() for w in fields[k]] for k in ("waivers", "expired")}
            self.judgements.append(WorkloadVerdict(path="", **{**fields, **views}))
            index = self._alike[alike] = len(self.judgements) - 1
        return index


RECENT_KEPT = 4096


def _waivers_in_play(
    waivers: Sequence[Waiver], declared: str | None, fired: list[str], today: _dt.date
) -> tuple[list[Waiver], list[Waiver]]:
    """The waivers that name the declared option or a rule that fired: those in force, and those expired."""
    active: list[Waiver] = []
    expired: list[Waiver] = []
    for waiver in waivers:
        if (waiver.option is not None and waiver.option == declared) or waiver.rule in fired:
            (expired if waiver.expired(today) else active).append(waiver)
    return active, expired


def judge(
    declared: str | None,
    fired: Sequence[str],
    waivers: Sequence[Waiver],
    pack: RulePack,
    policy: Policy,
    today: _dt.date,
) -> dict[str, Any]:
    """The fields of the verdict on a workload that declares ``declared``, given the rules
    that fired and the policy's waivers that name the workload (as :class:`Waiver`).

    The verdict's path, line and workload are left out: files judged alike share them.
    """
    fired = list(fired)
    active, expired = _waivers_in_play(waivers, declared, fired, today)
    waived_rules = [w for w in active if w.rule is not None]
    if waived_rules:
        ignored = {w.rule for w in waived_rules}
        fired = [r for r in fired if r not in ignored]
    scores, vetoes = add_up(pack, fired)
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
            rules = favouring(pack, fired, best[0], declared)
    option_waivers = [w for w in active if w.option is not None and w.option == declared]
    used = waived_rules + (option_waivers if finding else [])
    if declared is None:
        verdict = "fail" if finding else "unchecked"
    elif finding is None or option_waivers:
        verdict = "pass"
    else:
        verdict = "fail" if _LEVEL[finding] >= _FAIL_LEVEL[policy.fail_on] else "warn"
    return {
        "verdict": verdict,
        "finding": finding,
        "declared": declared,
        "recommendation": best[0] if len(best) == 1 else None,
        "tied": best if len(best) > 1 else [],
        "loss": loss,
        "scores": scores,
        "rules": rules,
        "waivers": used,
        "expired": expired,
    }
