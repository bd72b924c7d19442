"""`advisor check` benchmark: files per second over 1,000 and 10,000 workload files.

Run: python bench/bench_check.py [--runs 5] [--format text]

Generates 10,000 workload files in a temporary folder (one folder per service, as
teams keep them, named workload.yaml; varied requirement sets with repeats, some
without `declared`), then runs `advisor check` over 1,000 of them and over all
10,000, each in a process of its own, several times. Prints per size the median wall
time and files per second, the 10k/1k time ratio, and the peak resident memory of the
child processes (ru_maxrss).
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

from advisor.workload import REQUIREMENT_FIELDS, allowed_values, format_value  # noqa: E402

SIZES = (1_000, 10_000)
DISTINCT = 1_500  # distinct requirement sets among the 10,000 files


def generate(root: Path, n: int = 10_000, seed: int = 11) -> None:
    """Write n workload files: the first 1,000 under root/a, the rest under root/b."""
    rng = random.Random(seed)
    sets = []
    for _ in range(DISTINCT):
        sets.append({f: rng.choice(allowed_values(f)) for f in REQUIREMENT_FIELDS if rng.random() < 0.5})
    for i in range(n):
        folder = root / ("a" if i < 1_000 else "b") / f"team-{i % 37:02d}" / f"service-{i:05d}"
        folder.mkdir(parents=True)
        lines = [f"name: service-{i:05d}", f"description: Service number {i} of the benchmark fleet."]
        if rng.random() < 0.9:
            lines.append(f"declared: {rng.choice(['docker', 'vm'])}")
        lines.append("requirements:")
        for field, value in rng.choice(sets).items():
            lines.append(f"  {field}: {format_value(value)}")
        (folder / "workload.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_once(paths: list[str], fmt: str) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in KiB and exit code of one `advisor check` process."""
    command = [sys.executable, "-m", "advisor", "check", *paths, "--format", fmt]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        raise SystemExit(f"advisor check failed with exit {code}: {process.stderr.read().decode()[:500]}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per size; the median is reported")
    parser.add_argument("--format", default="text", help="output format to time (default text)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        generate(root)
        print(f"generated 10,000 workload files in {time.perf_counter() - start:.1f} s ({DISTINCT} distinct sets)")
        targets = {1_000: [str(root / "a")], 10_000: [str(root)]}
        medians = {}
        peak_kib = 0
        for size in SIZES:
            times = []
            for _ in range(args.runs):
                elapsed, rss, _ = run_once(targets[size], args.format)
                times.append(elapsed)
                peak_kib = max(peak_kib, rss)
            medians[size] = statistics.median(times)
            print(
                f"{size:>6,} files: median {medians[size]:.3f} s over {args.runs} runs "
                f"({size / medians[size]:,.0f} files/s; min {min(times):.3f} s, max {max(times):.3f} s)"
            )
        ratio = medians[10_000] / medians[1_000]
        print(f"10k/1k time ratio: {ratio:.2f} (target <= 11)")
        print(f"peak memory of a check process: {peak_kib / 1024:.0f} MB (target <= 250)")
        print(f"files per second over 10,000: {10_000 / medians[10_000]:,.0f} (target >= 3,000)")


if __name__ == "__main__":
    main()
