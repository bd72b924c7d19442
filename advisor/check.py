"""The CI check: a verdict per workload file under a policy, and the overall result.

A workload that declares a platform passes when the declared option is the best one
the policy allows (or ties for it), warns when it trails the best by at most the
policy's margin, and fails when it is vetoed, not allowed by the policy, or trails by
more. What fails the build is set by ``fail_on``: a finding below that level is only a
warning. The result is a model that knows its exit code; the command returns it.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import api, yamlfile
from .decision import ClaimView, Decision, FiredRule, PackInfo, add_up, pack_info, points
from .discovery import find_workloads
from .errors import AdvisorError, InputError, visible_path
from .policy import FailOn, Policy, Waiver, WaiverView, find_policy, load_policy
from .rulepack import RulePack
from .workload import workload_from_document

SCHEMA_VERSION = 1
Verdict = Literal["pass", "warn", "fail", "unchecked", "error"]
VERDICTS: tuple[str, ...] = ("pass", "warn", "fail", "unchecked", "error")
Finding = Literal["vetoed", "not_allowed", "mismatch", "close", "undeclared"]
# How grave each finding is, on the scale of fail_on (undeclared fails whenever it is a finding).
_LEVEL = {"vetoed": 3, "not_allowed": 3, "mismatch": 2, "close": 1}
_FAIL_LEVEL = {"veto": 3, "mismatch": 2, "warn": 1}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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

    @property
    def exit_code(self) -> int:
        """2 when a file could not be checked, else 1 when a workload failed, else 0."""
        if self.errored:
            return 2
        return 1 if self.failed else 0


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
    today: _dt.date | str | None = None,
    cwd: Path | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """Find the policy and the workload files under ``paths`` and check them all.

    ``today`` (a date or YYYY-MM-DD) is the day waivers are judged on; by default
    SOURCE_DATE_EPOCH's, else today in UTC. The other arguments override the policy
    when given.
    """
    if not isinstance(today, _dt.date):
        today = api.today(today)
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
    return check_files(files, pack, policy, today=today, unreadable=unreadable, progress=progress)


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
    results = [
        WorkloadVerdict(path=p, verdict="error", error=f"{visible_path(p)}: {problem}") for p, problem in unreadable
    ]
    total = len(files)
    for done, path in enumerate(files, 1):
        results.append(_check_file(path, pack, policy, today, decisions))
        if progress is not None and (done % 100 == 0 or done == total):
            progress(done, total)
    results.sort(key=lambda r: r.path)
    counts = dict.fromkeys(VERDICTS, 0)
    for result in results:
        counts[result.verdict] += 1
    # The rules and claims are reported as the decisions gave them, in the pack's order.
    named = {rule for r in results for rule in r.rules}
    fired = {f.rule: f for d in decisions.values() for f in d.fired if f.rule in named}
    rules = [fired[r.id] for r in pack.rules if r.id in fired]
    cited = {cid for r in rules for cid in r.sources}
    claims = {c.id: c for d in decisions.values() for c in d.claims if c.id in cited}
    return CheckResult(
        pack=pack_info(pack),
        policy=PolicyView(
            source=policy.source, margin=policy.margin, fail_on=policy.fail_on,
            allowed=list(policy.allowed) if policy.allowed is not None else None,
            require_declared=policy.require_declared, patterns=list(policy.patterns),
        ),
        counts=counts,
        results=results,
        rules=rules,
        claims=[claims[cid] for cid in pack.claims if cid in claims],
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
            rules = _favouring(pack, fired, best[0], declared)
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
        gain = points(effects.get(better, 0)) - points(effects.get(declared, 0))
        if gain > 0:
            gains.append((-gain, order, rule_id))
    return [rule_id for _, _, rule_id in sorted(gains)]
