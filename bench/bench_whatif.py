"""What-if benchmark: the cost of what-ifs and stability in ``decide``, in-process and per process.

Run: python bench/bench_whatif.py [--repeats 30] [--processes 5] [--before DIR]

In-process, over every example (examples/* with the default pack, examples/ladder/* with
the isolation ladder), the engine's cache emptied before each repeat; medians of the time
to decide them all:
* floor: no counterfactuals (what ``advisor check`` does);
* counterfactuals only: every value of every unstated field asked of the engine (as
  ``decide`` did before what-ifs, kept here as the baseline);
* what-ifs: every single change of every field, pairs when none flips it, stability.
with the number of requirement sets the engine evaluated in each mode.

Per process: ``python -m advisor decide FILE`` for every example, the median over
--processes runs of their total wall time; with --before DIR, the same with that checkout's
advisor first on the path (the code before what-ifs, e.g. a worktree of main), and
``python -c pass`` as the floor of starting Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor import engine  # noqa: E402
from advisor.decision import decide  # noqa: E402
from advisor.rulepack import load_rules  # noqa: E402
from advisor.workload import load_workload  # noqa: E402

LADDER = ROOT / "rules" / "isolation-ladder.yaml"


def examples() -> list[tuple[Path, Path | None]]:
    """Every example with the pack it is written for (None: the default)."""
    folder = ROOT / "examples"
    files = sorted(folder.glob("*.y*ml")) + sorted(folder.glob("*.json"))
    found: list[tuple[Path, Path | None]] = [(p, None) for p in files]
    return found + [(p, LADDER) for p in sorted((folder / "ladder").glob("*.yaml"))]


def counterfactuals_only(workload, pack) -> list:
    """The algorithm before what-ifs: the decision, then every value of every unstated field
    asked of the engine, keeping those that change the outcome."""
    from advisor import scoring
    from advisor.decision import build_decision
    from advisor.workload import Requirements, allowed_values

    compiled = engine.compiled(pack)
    decision = build_decision(workload, pack, compiled.fired(workload.requirements))
    stated = workload.requirements.stated()
    outcome = (decision.status, decision.recommendation, tuple(decision.tied))
    return [
        (field, value)
        for field in decision.unspecified
        for value in allowed_values(field)
        if scoring.standing(pack, compiled.fired(Requirements(**{**stated, field: value}))).outcome
        != outcome
    ]


def in_process(repeats: int) -> dict[str, tuple[float, int]]:
    """Median milliseconds to decide every example, and engine evaluations, per mode."""
    packs = {None: load_rules(), LADDER: load_rules(str(LADDER))}
    cases = [(load_workload(p, packs[r].options), packs[r]) for p, r in examples()]
    modes = {
        "floor (no counterfactuals)": lambda w, p: decide(w, p, counterfactuals=False),
        "counterfactuals only (before)": counterfactuals_only,
        "what-ifs and stability (now)": lambda w, p: decide(w, p, counterfactuals=True),
    }
    compiled = [engine.compiled(p) for p in packs.values()]
    times: dict[str, list[float]] = {name: [] for name in modes}
    evaluations: dict[str, int] = {}
    for _ in range(repeats):  # interleaved, so that a change in the machine's load hits every mode alike
        for name, run in modes.items():
            for c in compiled:
                c._cache.clear()
            start = time.perf_counter()
            for workload, pack in cases:
                run(workload, pack)
            times[name].append(time.perf_counter() - start)
            evaluations[name] = sum(len(c._cache) for c in compiled)
    return {name: (statistics.median(times[name]) * 1000, evaluations[name]) for name in modes}


def per_process(runs: int, before: str | None) -> dict[str, float]:
    """Median seconds to run ``advisor decide`` once per example (and Python's own start)."""
    commands = {"python -c pass (floor)": [[sys.executable, "-c", "pass"]] * len(examples())}
    decide_all = [
        [sys.executable, "-m", "advisor", "decide", str(p)] + (["--rules", str(r)] if r else []) for p, r in examples()
    ]
    commands["advisor decide, every example (now)"] = decide_all
    envs = {"advisor decide, every example (now)": {}}
    if before:
        commands["advisor decide, every example (before)"] = decide_all
        envs["advisor decide, every example (before)"] = {"PYTHONPATH": before}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so that a change in the machine's load hits every command alike
        for name, argv in commands.items():
            env = {**os.environ, **envs.get(name, {})}
            start = time.perf_counter()
            for command in argv:
                subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--before", help="a checkout of advisor before what-ifs, for the per-process comparison")
    args = parser.parse_args()
    print(f"in-process, {len(examples())} examples, median of {args.repeats}:")
    for name, (ms, evaluations) in in_process(args.repeats).items():
        print(f"  {name:32} {ms:8.2f} ms  {evaluations:5d} engine evaluations")
    print(f"per process, median of {args.processes}:")
    for name, seconds in per_process(args.processes, args.before).items():
        print(f"  {name:40} {seconds:7.3f} s")


if __name__ == "__main__":
    main()
