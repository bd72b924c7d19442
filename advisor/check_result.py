"""The result of ``advisor check``: a verdict per workload file, and the whole run's
result, which knows its exit code. Renderers read these; :mod:`advisor.check` makes them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

from .baseline import BaselineView
from .decision_model import ClaimView, FiredRule, PackInfo
from .policy import FailOn, WaiverView

SCHEMA_VERSION = 1
Verdict = Literal["pass", "warn", "fail", "unchecked", "error"]
VERDICTS: tuple[str, ...] = ("pass", "warn", "fail", "unchecked", "error")
Finding = Literal["vetoed", "not_allowed", "mismatch", "close", "undeclared"]
EXPIRING_DAYS = 30


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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


class Verdicts(Sequence[WorkloadVerdict]):
    """The verdicts of a check, kept small: per file its path, line and workload name, and
    the judgement it shares with every file judged alike (by fired rules, declared option
    and waivers), so memory grows with the distinct outcomes, not with the files."""

    __slots__ = ("_judgements", "_rows")

    def __init__(self, rows: list[tuple[str, int | None, str | None, int]], judgements: list[WorkloadVerdict]):
        self._rows = rows
        self._judgements = judgements

    @classmethod
    def of(cls, value: Any) -> Verdicts:
        """Verdicts from a list of verdicts (or their data), as a hand-built result gives them."""
        if isinstance(value, Verdicts):
            return value
        items = [v if isinstance(v, WorkloadVerdict) else WorkloadVerdict.model_validate(v) for v in value]
        return cls([(v.path, v.line, v.workload, i) for i, v in enumerate(items)], items)

    def entries(self) -> Iterator[tuple[str, int | None, str | None, WorkloadVerdict]]:
        """Each file's ``(path, line, workload, judgement)``; the judgement's own path, line
        and workload may be another file's (it is shared), the rest is this file's verdict."""
        judgements = self._judgements
        return ((path, line, name, judgements[j]) for path, line, name, j in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        path, line, name, j = self._rows[index]
        shared = self._judgements[j]
        if (shared.path, shared.line, shared.workload) == (path, line, name):
            return shared
        return shared.model_copy(update={"path": path, "line": line, "workload": name})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def _dump_verdicts(value: Sequence[WorkloadVerdict], info: Any) -> list[Any]:
    return [v.model_dump(mode=info.mode) for v in value]


ResultList = Annotated[Verdicts, PlainValidator(Verdicts.of), PlainSerializer(_dump_verdicts)]


@dataclass(frozen=True)
class FleetAdvice:
    """How many workloads each option is recommended for (most first), how many tie, and
    for how many no option the policy allows is left."""

    options: list[tuple[str, int]]
    tied: int
    none: int


class CheckResult(_Model):
    """The outcome of a check over many workload files."""

    schema_version: Literal[1] = SCHEMA_VERSION
    pack: PackInfo
    policy: PolicyView
    counts: dict[str, int]
    results: ResultList
    rules: list[FiredRule]
    claims: list[ClaimView]
    expired_waivers: list[WaiverView]
    baseline: BaselineView | None = None
    # For the fleet page, not part of the JSON result: the day waivers were judged on, and
    # the waivers that lapse within EXPIRING_DAYS of it.
    today: str | None = Field(default=None, exclude=True)
    expiring_waivers: list[WaiverView] = Field(default=[], exclude=True)
    # The language of the wording (its sentences, the pack's texts); not part of the JSON
    # result, whose keys and ids are English in any language.
    lang: str = Field(default="en", exclude=True)

    def entries(self) -> Iterator[tuple[str, int | None, str | None, WorkloadVerdict]]:
        """Each result as ``(path, line, workload, verdict)``, without a copy per file: the
        verdict may be shared with files judged alike, so its own path, line and workload
        are to be taken from the tuple."""
        if isinstance(self.results, Verdicts):
            return self.results.entries()
        return ((v.path, v.line, v.workload, v) for v in self.results)

    def advice(self) -> FleetAdvice:
        """What the checked workloads are advised, counted over the fleet."""
        by_option: dict[str, int] = {}
        tied = none = 0
        for _, _, _, verdict in self.entries():
            if verdict.verdict == "error":
                continue
            if verdict.recommendation:
                by_option[verdict.recommendation] = by_option.get(verdict.recommendation, 0) + 1
            elif verdict.tied:
                tied += 1
            else:
                none += 1
        ranked = sorted(by_option.items(), key=lambda item: (-item[1], item[0]))
        return FleetAdvice(options=ranked, tied=tied, none=none)

    @property
    def failed(self) -> bool:
        """Whether any workload failed the policy (with a baseline: any new or worse finding)."""
        if self.baseline is not None:
            return bool(self.baseline.new)
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
