"""Start-up benchmark: wall time of whole `advisor` processes.

Run: python bench/bench_startup.py [--runs 15]

Prints the median wall time of `advisor decide` on a bundled example, of `advisor
--help`, of a bare `python -c pass` (the interpreter's own start), of a process that
only imports advisor's dependencies (the floor: `python -c "import click, yaml,
pydantic, jinja2, durable_rules_engine"`) and of the floor that also defines and
validates one trivial pydantic model, each measured in this same run, after one warm-up,
interleaved; then the median ratios (run by run) of `advisor decide` and of that second
process to the floor. Modules run from compiled bytecode, as an installed wheel's do
(kept in a temporary folder, whatever PYTHONDONTWRITEBYTECODE says).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "payments-api.yaml"

IMPORTS = "import click, yaml, pydantic, jinja2, durable_rules_engine"
ONE_MODEL = "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)"
DECIDE = "advisor decide example"
FLOOR = "import the dependencies (floor)"
MODELS = "floor + one pydantic model used"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    FLOOR: [sys.executable, "-c", IMPORTS],
    # `import pydantic` loads its model machinery only when BaseModel is first asked for, and
    # its validators' (with the plugin loader's importlib.metadata) when a model first
    # validates: the least any start that validates with pydantic pays over the floor.
    MODELS: [sys.executable, "-c", f"{IMPORTS}\n{ONE_MODEL}"],
    "advisor --help": [sys.executable, "-m", "advisor", "--help"],
    DECIDE: [sys.executable, "-m", "advisor", "decide", str(EXAMPLE)],
    "advisor decide example -f json": [sys.executable, "-m", "advisor", "decide", str(EXAMPLE), "-f", "json"],
}


def bytecode_env(cache: str) -> dict[str, str]:
    """The environment of the timed processes: Python modules run from compiled bytecode,
    as from an installed wheel, kept in ``cache`` so nothing is written into the tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": cache, "PYTHONPATH": str(ROOT)}


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="advisor-pycache-") as cache:
        env = bytecode_env(cache)
        for command in COMMANDS.values():
            wall_ms(command, env)  # warm-up: file cache, .pyc files
        for _ in range(args.runs):  # interleaved, so drift hits every command alike
            for name, command in COMMANDS.items():
                results[name].append(wall_ms(command, env))
    for name, times in results.items():
        print(f"{name:34s} median {statistics.median(times):6.1f} ms  (min {min(times):6.1f}, max {max(times):6.1f})")
    ratios = [d / f for d, f in zip(results[DECIDE], results[FLOOR], strict=True)]
    print(f"advisor decide / import floor: median ratio {statistics.median(ratios):.2f} (target <= 1.3)")
    models = [m / f for m, f in zip(results[MODELS], results[FLOOR], strict=True)]
    print(f"{MODELS} / import floor: median ratio {statistics.median(models):.2f}")


if __name__ == "__main__":
    main()
