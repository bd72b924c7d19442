"""Running the tests a pack carries (``advisor rules test``) through the engine of record.

Each example of a rule is asserted into durable-rules (:mod:`advisor.engine`) and the
rule must fire, or not; each case is decided by :func:`advisor.decision.build_decision`
from the rules the engine fires, and its status, recommendation, tie, margin and vetoes
compared with what the case expects. A failure is located at the example's or the
case's line. Coverage says which rules some example or case makes fire, which fire in
some case, and which options some case recommends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import yamlfile
from .errors import RulePackError
from .rulepack import RulePack, load_pack
from .validation import format_value
from .workload import Requirements, Workload

if TYPE_CHECKING:
    from .packtests import Case
    from .rulepack_model import RuleModel


@dataclass(frozen=True)
class Failure:
    """One example or case whose expectation the pack does not meet."""

    path: str
    line: int | None
    subject: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.subject}: {self.message}"


@dataclass
class PackResult:
    """What running one pack's examples and cases found."""

    path: str
    rules: list[str]
    options: list[str]
    failures: list[Failure] = field(default_factory=list)
    exercised: set[str] = field(default_factory=set)  # rules some example or case makes fire
    fired_in_cases: set[str] = field(default_factory=set)
    recommended: dict[str, int] = field(default_factory=dict)  # option: cases recommending it
    examples: int = 0
    cases: int = 0

    def share(self, part: set[str] | dict[str, int], whole: list[str]) -> float:
        """The percentage of ``whole`` found in ``part``."""
        return 100.0 * sum(1 for x in whole if x in part) / len(whole) if whole else 100.0


@dataclass
class TestRun:
    """The result of ``advisor rules test`` over one or more packs."""

    packs: list[PackResult]
    coverage_min: float | None = None

    @property
    def failures(self) -> list[Failure]:
        """Every failure, pack by pack, in file order."""
        return [f for p in self.packs for f in p.failures]

    def below(self) -> list[PackResult]:
        """The packs whose rules exercised fall below ``coverage_min`` percent."""
        if self.coverage_min is None:
            return []
        return [p for p in self.packs if p.share(p.exercised, p.rules) < self.coverage_min]

    @property
    def exit_code(self) -> int:
        """0 when every test passes and coverage is met, else 1."""
        return 1 if self.failures or self.below() else 0


def written(requirements: Requirements) -> str:
    """A requirement set as written in YAML flow style."""
    stated = requirements.stated()
    return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in stated.items()) + "}"


def run_pack(path: str | Path) -> PackResult:
    """Run one pack's examples and cases (a pack that does not load raises :class:`RulePackError`)."""
    from .engine import compiled
    from .rulepack_model import validated

    pack = load_pack(path)
    doc = yamlfile.load(path, RulePackError)
    model, _ = validated(doc, None)  # valid, as it loaded: its examples and cases
    assert model is not None
    engine = compiled(pack)
    result = PackResult(str(path), [r.id for r in pack.rules], list(pack.options))
    result.recommended = dict.fromkeys(pack.options, 0)
    for index, rule in enumerate(model.rules):
        _run_examples(rule, index, engine.fired, doc, result)
    for index, case in enumerate(model.cases):
        line = doc.line_of(("cases", index))
        fired = engine.fired(case.requirements)
        result.cases += 1
        result.exercised.update(fired)
        result.fired_in_cases.update(fired)
        for message in _judge(case, pack, fired, result):
            result.failures.append(Failure(str(path), line, case.name, message))
    result.failures.sort(key=lambda f: f.line or 0)
    return result


def _run_examples(rule: RuleModel, index: int, fired_by, doc: yamlfile.Document, result: PackResult) -> None:
    if rule.examples is None:
        return
    for kind, must_fire in (("fires", True), ("quiet", False)):
        for j, requirements in enumerate(getattr(rule.examples, kind)):
            result.examples += 1
            fired = rule.id in fired_by(requirements)
            if fired:
                result.exercised.add(rule.id)
            if fired != must_fire:
                expected = "to fire" if must_fire else "to stay quiet"
                got = "it fired" if fired else "it stayed quiet"
                line = doc.line_of(("rules", index, "examples", kind, j))
                message = f"expected {expected} under {written(requirements)}, got: {got}"
                result.failures.append(Failure(result.path, line, rule.id, message))


def _judge(case: Case, pack: RulePack, fired: tuple[str, ...], result: PackResult) -> list[str]:
    """What is wrong with the pack's conclusion on a case (nothing when it is as expected)."""
    from .decision import build_decision

    decision = build_decision(Workload(name=case.name, requirements=case.requirements), pack, fired)
    if decision.recommendation:
        result.recommended[decision.recommendation] += 1
    got = _outcome(decision.status, decision.recommendation, decision.tied, decision.margin)
    wrong = []
    if case.recommends is not None and decision.recommendation != case.recommends:
        wrong.append(f"expected {case.recommends}, got {got}")
    elif case.tie is not None and (decision.status != "tie" or set(decision.tied) != set(case.tie)):
        wrong.append(f"expected a tie of {', '.join(case.tie)}, got {got}")
    elif case.min_margin is not None and decision.margin is not None and decision.margin < case.min_margin:
        wrong.append(f"expected {case.recommends} by at least {case.min_margin} points, got {got}")
    if case.vetoed is not None and set(decision.vetoes) != set(case.vetoed):
        want = ", ".join(case.vetoed) or "none"
        wrong.append(f"expected vetoed: {want}, got vetoed: {', '.join(decision.vetoes) or 'none'}")
    return wrong


def _outcome(status: str, recommendation: str | None, tied: list[str], margin: int | None) -> str:
    if status == "recommended":
        return f"{recommendation} by {margin} points" if margin is not None else f"{recommendation} (no rival left)"
    if status == "tie":
        return f"a tie of {', '.join(tied)}"
    return {"all_vetoed": "every option vetoed", "no_rules_fired": "no rule fired"}.get(status, status)


def run(paths: list[str], coverage_min: float | None = None) -> TestRun:
    """Run the examples and cases of each pack (default: the shipped packs)."""
    from .resources import pack_path, shipped_packs

    try:
        chosen = [str(pack_path(p)) for p in paths] or [_near(p) for p in shipped_packs().values()]
    except RulePackError as exc:  # a pack named here is an argument, not the --rules option
        raise RulePackError(exc.message) from None
    return TestRun([run_pack(p) for p in chosen], coverage_min)


def _near(path: Path) -> str:
    """A shipped pack's path relative to the working folder when it lies under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def report(result: TestRun) -> str:
    """Each failure as ``file:line: rule-or-case: expected …, got …``, then each pack's coverage."""
    lines = [str(f) for f in result.failures]
    for pack in result.packs:
        n = len(pack.rules)
        exercised = sum(1 for r in pack.rules if r in pack.exercised)
        in_cases = sum(1 for r in pack.rules if r in pack.fired_in_cases)
        options = ", ".join(f"{o} {c}" for o, c in pack.recommended.items())
        chosen = sum(1 for c in pack.recommended.values() if c)
        lines.append(
            f"{pack.path}: {pack.examples} examples, {pack.cases} cases, "
            f"{sum(1 for f in pack.failures)} failed; coverage: rules exercised {exercised}/{n} "
            f"({pack.share(pack.exercised, pack.rules):.0f}%), fired in some case {in_cases}/{n} "
            f"({pack.share(pack.fired_in_cases, pack.rules):.0f}%), options recommended by some case "
            f"{chosen}/{len(pack.options)} ({options})"
        )
    for pack in result.below():
        lines.append(
            f"{pack.path}: rules exercised {pack.share(pack.exercised, pack.rules):.0f}% is below "
            f"--coverage-min {format_value(result.coverage_min)}%"
        )
    return "\n".join(lines) + "\n"
