"""Engine benchmark: microseconds per decision through durable-rules, against a plain loop.

Run: python bench/bench_engine.py [--n 10000] [--repeats 5]

Prints medians over several repeats of:
* durable-rules: the rules that fire for a distinct workload (cache off), plus the scores;
* plain loop: the same pack's conditions evaluated by a Python loop, plus the scores (the floor);
* cache: a repeated requirement set;
* evaluate(): the full Decision model (durable-rules + pydantic), no counterfactuals;
and the growth over 10,000 decisions in one process (memory, first vs last 1,000).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.decision import decide as evaluate
from advisor.engine import CompiledPack
from advisor.rulepack import load_pack
from advisor.scoring import add_up
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values


def distinct_workloads(n: int, seed: int = 7) -> list[Requirements]:
    """n distinct requirement sets, each stating a random subset of fields."""
    rng = random.Random(seed)
    seen, out = set(), []
    while len(out) < n:
        stated = {f: rng.choice(allowed_values(f)) for f in REQUIREMENT_FIELDS if rng.random() < 0.7}
        key = tuple(sorted(stated.items()))
        if key not in seen:
            seen.add(key)
            out.append(Requirements(**stated))
    return out


def rss_mb() -> float:
    """Resident memory now, from /proc (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def per_item_us(func, items) -> float:
    start = time.perf_counter()
    for item in items:
        func(item)
    return (time.perf_counter() - start) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    pack = load_pack()
    engine = CompiledPack(pack)
    workloads = distinct_workloads(args.n)
    stated_sets = [w.stated() for w in workloads]

    def via_durable(req: Requirements):
        engine._cache.clear()
        return add_up(pack, engine.fired(req))

    def via_loop(stated: dict):
        return add_up(pack, [r.id for r in pack.rules if r.when.holds(stated)])

    def decide(req: Requirements):
        return evaluate(Workload(name="w", requirements=req), pack, counterfactuals=False)

    # the two must agree before their speed means anything
    for req, stated in zip(workloads[:2000], stated_sets[:2000], strict=True):
        assert via_durable(req) == via_loop(stated)

    sample = workloads[:2000]
    durable_us, loop_us, cached_us, full_us = [], [], [], []
    for _ in range(args.repeats):
        durable_us.append(per_item_us(via_durable, sample))
        loop_us.append(per_item_us(via_loop, stated_sets[:2000]))
        engine._cache.clear()
        engine.fired(sample[0])
        cached_us.append(per_item_us(engine.fired, [sample[0]] * 2000))
        engine._cache.clear()
        full_us.append(per_item_us(decide, sample))

    fired = statistics.mean(len(engine.fired(r)) for r in sample)
    d, lp = statistics.median(durable_us), statistics.median(loop_us)
    print(f"pack: {len(pack.rules)} rules, {fired:.1f} firing on average; {len(sample)} distinct workloads a run")
    print(f"durable-rules, distinct workload : {d:7.1f} us  (median of {args.repeats}; min {min(durable_us):.1f})")
    print(f"plain Python loop (floor)        : {lp:7.1f} us  (median of {args.repeats}; min {min(loop_us):.1f})")
    print(f"ratio durable/loop               : {d / lp:7.2f}x")
    print(f"cached requirement set           : {statistics.median(cached_us):7.2f} us")
    print(f"evaluate() with the Decision     : {statistics.median(full_us):7.1f} us")

    # growth: 10,000 distinct decisions in one process, cache off
    fresh = CompiledPack(pack)
    before = rss_mb()
    times = []
    for req in workloads:
        fresh._cache.clear()
        t = time.perf_counter()
        fresh.fired(req)
        times.append(time.perf_counter() - t)
    after = rss_mb()
    first, last = statistics.median(times[:1000]) * 1e6, statistics.median(times[-1000:]) * 1e6
    print(f"{len(workloads)} decisions in one process: rss {before:.1f} -> {after:.1f} MB; "
          f"first 1,000 median {first:.1f} us, last 1,000 median {last:.1f} us ({(last / first - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
