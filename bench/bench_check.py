"""`advisor check` benchmark: whole processes over 1,000, 10,000 and 100,000 workload files.

Run: python bench/bench_check.py [--runs 3] [--sizes 1000,10000,100000] [--no-repetitive]

Generates a fleet of workload files in a temporary folder (one folder per service, as
teams keep them, each named workload.yaml). By default every file is distinct: each of
the requirement fields is present with probability 0.8 and a random value, and
`declared` is a random option of the pack (or absent, one file in ten). A second row
keeps the repetitive case: 10,000 files drawing on 1,500 requirement sets.

Each size is checked by a process of its own, `advisor check DIR... --format json
--output out.json`, several times. Beside it, in the same run, the floor: one process
that finds the same files, reads them and parses them with libyaml alone. Prints per
size the median wall time, files per second, the ratio to the floor, the peak resident
memory of the check process (ru_maxrss from wait4) and its CPU time (user and system,
less sensitive than wall time to other load on the machine), then the 10k/1k and
100k/10k time ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.api import load_rules  # noqa: E402
from advisor.workload import REQUIREMENT_FIELDS, allowed_values, format_value  # noqa: E402

REPEATED_SETS = 1_500  # requirement sets among the files of the repetitive row
# Files are written in nested slices so that a size is a list of folders: 1k = a, 10k = a+b, ...
SLICES = ((1_000, "a"), (10_000, "b"), (100_000, "c"))

FLOOR = """
import os, sys, yaml
n = 0
for top in sys.argv[1:]:
    for folder, _, names in os.walk(top):
        for name in names:
            if name == "workload.yaml":
                with open(os.path.join(folder, name), "rb") as fh:
                    yaml.load(fh.read().decode("utf-8"), Loader=yaml.CSafeLoader)
                n += 1
print(n)
"""


def requirement_set(rng: random.Random, present: float) -> dict:
    """Random requirements, each field present with probability ``present``."""
    return {f: rng.choice(allowed_values(f)) for f in REQUIREMENT_FIELDS if rng.random() < present}


def generate(root: Path, n: int, *, distinct: bool, seed: int = 11) -> list[list[str]]:
    """Write n workload files under root; returns the folders (relative to root) of each size."""
    rng = random.Random(seed)
    options = list(load_rules().options)
    sets = [requirement_set(rng, 0.5) for _ in range(REPEATED_SETS)]
    for i in range(n):
        part = next(name for limit, name in SLICES if i < limit)
        folder = root / part / f"team-{i % 37:02d}" / f"service-{i:06d}"
        folder.mkdir(parents=True)
        lines = [f"name: service-{i:06d}", f"description: Service number {i} of the benchmark fleet."]
        if rng.random() < 0.9:
            lines.append(f"declared: {rng.choice(options)}")
        lines.append("requirements:")
        requirements = requirement_set(rng, 0.8) if distinct else rng.choice(sets)
        for field, value in requirements.items():
            lines.append(f"  {field}: {format_value(value)}")
        (folder / "workload.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [[name for _, name in SLICES[: k + 1]] for k in range(len(SLICES)) if SLICES[k][0] <= n]


def run_once(command: list[str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds of one process; exits on an unexpected exit code.

    Modules run from compiled bytecode, as an installed wheel's do (kept beside the
    generated files, whatever PYTHONDONTWRITEBYTECODE says).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(cwd.parent / "pycache"))
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode()
    process.stderr.close()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command[:4])} failed with exit {code}: {error[:500]}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure(root: Path, folders: list[str], runs: int, out: Path) -> dict[str, float]:
    """Medians of the check and of the floor over the same files (run in ``root``, as from a
    monorepo's top), interleaved run by run."""
    check = [sys.executable, "-m", "advisor", "check", *folders, "--format", "json", "--output", str(out)]
    floor = [sys.executable, "-c", FLOOR, *folders]
    times, floors, peaks, cpus = [], [], [], []
    for _ in range(runs):
        elapsed, rss, cpu = run_once(check, root)
        times.append(elapsed)
        peaks.append(rss)
        cpus.append(cpu)
        floors.append(run_once(floor, root)[0])
    return {"time": statistics.median(times), "floor": statistics.median(floors), "rss": max(peaks) / 1024,
            "cpu": statistics.median(cpus)}


def row(label: str, n: int, m: dict[str, float]) -> str:
    return (
        f"| {label} | {n:,} | {m['time']:.2f} s | {n / m['time']:,.0f} | {m['floor']:.2f} s "
        f"| {m['time'] / m['floor']:.2f}x | {m['rss']:.0f} MB | {m['cpu']:.2f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians are reported")
    parser.add_argument("--sizes", default="1000,10000,100000", help="sizes among 1000, 10000, 100000")
    parser.add_argument("--no-repetitive", action="store_true", help="leave out the repetitive row")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"advisor check DIR --format json --output out.json; medians of {args.runs} runs, {os.cpu_count()} cores")
    print("| workload files | files | time | files/s | libyaml floor | vs floor | peak RSS | CPU time |")
    print("|---|---|---|---|---|---|---|---|")
    medians: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        root = Path(tmp)
        out = root / "out.json"
        fleets = generate(root / "distinct", max(sizes), distinct=True)
        for folders, (n, _) in zip(fleets, SLICES, strict=False):
            if n in sizes:
                m = measure(root / "distinct", folders, args.runs, out)
                medians[n] = m["time"]
                print(row("distinct", n, m), flush=True)
        if not args.no_repetitive:
            repeated = generate(root / "repetitive", 10_000, distinct=False)
            m = measure(root / "repetitive", repeated[1], args.runs, out)
            print(row(f"repetitive ({REPEATED_SETS:,} sets)", 10_000, m))
    for big, small in ((10_000, 1_000), (100_000, 10_000)):
        if big in medians and small in medians:
            print(f"{big // 1000}k/{small // 1000}k time ratio (distinct): {medians[big] / medians[small]:.2f}")


if __name__ == "__main__":
    main()
