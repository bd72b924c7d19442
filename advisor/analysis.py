"""``advisor rules analyze``: what a pack concludes over every requirement set there is.

The space (every requirement field unstated or one of its values) is walked exactly, in
blocks of fields read together (:mod:`advisor.analysis_space`): the outcome of each
combination of blocks comes from the rules that fire, scored as the decision scores
them. From it: how often each outcome occurs; the rules that never fire; the rules
whose removal changes no outcome anywhere; the rules that always fire together; the
least requirement sets that lead to a tie or to a lead of at most two points; and the
monotonicity violations (stating one more requirement that by itself makes the pack
recommend A makes A lose where it had won).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

from .analysis_model import Analysis, OutcomeCount, Region, Violation
from .analysis_space import Block, Dist, Key, Outcome, Space, Witness, add_keys, combine, decode, encode, merge
from .rulepack import RulePack
from .scoring import FRAGILE_MARGIN
from .workload import REQUIREMENT_FIELDS, allowed_values

TOP = 10
SMALL = 3  # regions are shown by their least requirement sets of at most this many stated fields
STAGES = ("outcomes", "never_decisive", "monotonicity")


class _Clock:
    """The time a run may take; past it, the stages left are skipped and the result is partial."""

    def __init__(self, max_seconds: float | None) -> None:
        self.end = None if max_seconds is None else time.monotonic() + max_seconds
        self.unfinished: list[str] = []

    def over(self) -> bool:
        return self.end is not None and time.monotonic() > self.end


def analyze(pack: RulePack, *, top: int = TOP, max_seconds: float | None = None) -> Analysis:
    """Analyze a pack's whole requirement space (within ``max_seconds``, if given)."""
    clock = _Clock(max_seconds)
    space = Space(pack)
    dists = [space.distribution(b) for b in space.blocks]
    total = _combined(space, dists)
    outcomes, ties, close = _outcomes(space, total, top)
    others = [] if clock.over() else list(_others(space, dists))  # both stages read them
    if not others:
        clock.unfinished += ["never_decisive", "monotonicity"]
    decisive = _decisive(space, others, clock) if others else None
    violations, examples = _monotonicity(space, others, clock, top) if others else (0, [])
    return Analysis(
        pack=pack.name,
        version=pack.version,
        path=pack.path,
        fields=len(space.fields),
        space=space.size,
        read=list(space.read),
        blocks=[list(b.fields) for b in space.blocks],
        outcomes=outcomes,
        dead=[r for r in space.rule_ids if not any(r in fired for b in space.blocks for fired in b.local)],
        never_decisive=[] if decisive is None else [r for r in space.rule_ids if r not in decisive],
        together=_together(space.blocks),
        ties=ties,
        close=close,
        close_margin=FRAGILE_MARGIN,
        violations=violations,
        violation_examples=examples,
        top=top,
        partial=bool(clock.unfinished),
        unfinished=clock.unfinished,
    )


def _combined(space: Space, dists: list[Dist]) -> Dist:
    total = space.identity()
    for dist in sorted(dists, key=len):  # the largest last: fewer sums to merge on the way
        total = combine(total, dist)
    return total


def _others(space: Space, dists: list[Dist]) -> Iterator[tuple[int, Dist]]:
    """For each block, the distribution of all the other blocks together."""
    for index in range(len(dists)):
        yield index, _combined(space, [d for i, d in enumerate(dists) if i != index])


def _label(outcome: Outcome) -> tuple[str, list[str]]:
    if outcome[0] == "recommended":
        return outcome[1], [outcome[1]]
    if outcome[0] == "tie":
        return "tie", list(outcome[1])
    return outcome[0], []


def _outcomes(space: Space, total: Dist, top: int) -> tuple[list[OutcomeCount], list[Region], list[Region]]:
    """How often each outcome occurs, and the tie and close-margin regions with their least sets."""
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    regions: dict[Outcome, list[tuple[int, Witness]]] = {}
    for key, (count, witness) in total.items():
        outcome = space.judge(key)
        label, options = _label(outcome)
        counts[(label, tuple(options))] = counts.get((label, tuple(options)), 0) + count * space.unread
        close = outcome[0] == "recommended" and outcome[2] is not None and outcome[2] <= FRAGILE_MARGIN
        if outcome[0] == "tie" or close:
            regions.setdefault(outcome, []).append((count * space.unread, witness))
    order = {o: i for i, o in enumerate(space.options)}
    rank = {"tie": len(order), "all_vetoed": len(order) + 1, "no_rules_fired": len(order) + 2}
    listed = sorted(counts.items(), key=lambda item: (rank.get(item[0][0], order.get(item[0][0])), item[0][1]))
    outcomes = [
        OutcomeCount(outcome=label, options=list(options), count=n, share=round(100 * n / space.size, 4))
        for (label, options), n in listed
    ]
    small = _small_sets(space, set(regions), top)
    made = [_region(outcome, found, small.get(outcome, []), top) for outcome, found in regions.items()]
    made.sort(key=lambda r: (-r.count, r.options, r.margin or 0))
    return outcomes, [r for r in made if r.outcome == "tie"], [r for r in made if r.outcome != "tie"]


def _region(outcome: Outcome, found: list[tuple[int, Witness]], small: list[Witness], top: int) -> Region:
    # The least sets found among the small ones; a region with none that small shows the
    # least witness of each of its scoring states instead.
    least = small or _least(w for _, w in found)
    margin = outcome[2] if outcome[0] == "recommended" else 0
    _, options = _label(outcome)
    return Region(
        outcome=outcome[0],
        options=options,
        margin=margin,
        count=sum(n for n, _ in found),
        minimal=[decode(w) for w in least[:top]],
    )


def _small_sets(space: Space, wanted: set[Outcome], top: int) -> dict[Outcome, list[Witness]]:
    """For each wanted outcome, the requirement sets of at most SMALL stated fields leading there
    that contain no other such set, fewest stated fields first (at most ``top``)."""
    found: dict[Outcome, list[Witness]] = {o: [] for o in wanted}
    for size in range(1, SMALL + 1):
        for names in itertools.combinations(space.read, size):
            for values in itertools.product(*(allowed_values(f) for f in names)):
                stated = dict(zip(names, values, strict=True))
                outcome = space.outcome(stated)
                kept = found.get(outcome)
                if kept is None or len(kept) >= top:
                    continue
                witness = encode(stated)
                if not any(set(k) <= set(witness) for k in kept):
                    kept.append(witness)
    return {o: sorted(ws, key=lambda w: (len(w), w)) for o, ws in found.items()}


def _least(witnesses) -> list[Witness]:
    """The witnesses with the fewest stated fields first, leaving out any that contains another."""
    kept: list[Witness] = []
    for w in sorted(set(witnesses), key=lambda w: (len(w), w)):
        if not any(set(k) <= set(w) for k in kept):
            kept.append(w)
    return kept


def _decisive(space: Space, all_others: list[tuple[int, Dist]], clock: _Clock) -> set[str] | None:
    """The rules whose removal changes the outcome (recommendation, tie or status) somewhere."""
    found: set[str] = set()
    for index, others in all_others:
        block = space.blocks[index]
        for rule in block.rules:
            if clock.over():
                clock.unfinished.append("never_decisive")
                return None
            if _changes_somewhere(space, block, rule, others):
                found.add(rule)
    return found


def _changes_somewhere(space: Space, block: Block, rule: str, others: Dist) -> bool:
    pairs = {
        (space.key(fired), space.key(r for r in fired if r != rule)) for fired in block.local if rule in fired
    }
    for with_rule, without in pairs:
        for other in others:
            a, b = space.judge(add_keys(with_rule, other)), space.judge(add_keys(without, other))
            if a[:2] != b[:2]:
                return True
    return False


def _together(blocks: list[Block]) -> list[list[str]]:
    """Groups of two or more rules that, over the whole space, fire only all together (never-firing rules aside)."""
    groups = []
    for block in blocks:
        seen: dict[tuple[bool, ...], list[str]] = {}
        for rule in block.rules:
            pattern = tuple(rule in fired for fired in block.local)
            if any(pattern):
                seen.setdefault(pattern, []).append(rule)
        groups += [rules for rules in seen.values() if len(rules) > 1]
    return groups


def _monotonicity(
    space: Space, all_others: list[tuple[int, Dist]], clock: _Clock, top: int
) -> tuple[int, list[Violation]]:
    """How many (requirement set, added requirement) pairs break monotonicity, and the least examples."""
    favours = _favours(space)
    total = 0
    examples: dict[tuple, tuple[Witness, int, str, Outcome, Outcome]] = {}
    for index, others in all_others:
        moves = _transitions(space, space.blocks[index], favours)
        for (before_key, after_key, option), (count, witness, added) in moves.items():
            if clock.over():
                clock.unfinished.append("monotonicity")
                return total, _examples(examples, top)
            for other, (n, other_witness) in others.items():
                before = space.judge(add_keys(before_key, other))
                if before[0] != "recommended" or before[1] != option:
                    continue
                after = space.judge(add_keys(after_key, other))
                if after[0] == "recommended" and after[1] == option:
                    continue
                total += count * n * space.unread
                example = merge(witness, other_witness)
                slot = (option, added, _label(after)[0])
                if slot not in examples or (len(example), example) < (len(examples[slot][0]), examples[slot][0]):
                    examples[slot] = (example, added, option, before, after)
    return total, _examples(examples, top)


def _favours(space: Space) -> dict[int, str]:
    """Each single requirement (as a witness code) and the option the pack recommends on it alone."""
    found = {}
    for block in space.blocks:
        conditions = [(rid, space.pack.rule(rid).when) for rid in block.rules]
        for stated in block.assignments():
            if len(stated) == 1:
                outcome = space.judge(space.key(rid for rid, when in conditions if when.holds(stated)))
                if outcome[0] == "recommended":
                    found[encode(stated)[0]] = outcome[1]
    return found


def _transitions(space: Space, block: Block, favours: dict[int, str]) -> dict[tuple[Key, Key, str], tuple]:
    """Within a block: stating one more field that favours an option, as (before, after, option),
    with how many assignments do it and the least of them."""
    conditions = [(rid, space.pack.rule(rid).when) for rid in block.rules]
    fired = {encode(s): tuple(rid for rid, when in conditions if when.holds(s)) for s in block.assignments()}
    own = {REQUIREMENT_FIELDS.index(f) for f in block.fields}
    found: dict[tuple[Key, Key, str], tuple] = {}
    for witness, before in fired.items():
        stated_fields = {code // 64 for code in witness}
        for code, option in favours.items():
            if code // 64 in stated_fields or code // 64 not in own:
                continue
            after = fired[tuple(sorted(witness + (code,)))]
            if after == before:
                continue
            key = (space.key(before), space.key(after), option)
            count, least, added = found.get(key, (0, witness, code))
            better = (len(witness), witness) < (len(least), least)
            found[key] = (count + 1, witness if better else least, code if better else added)
    return found


def _examples(examples: dict, top: int) -> list[Violation]:
    chosen = sorted(examples.values(), key=lambda e: (len(e[0]), e[0], e[1]))[:top]
    return [
        Violation(
            requirements=decode(witness),
            added=decode((added,)),
            favours=option,
            before_margin=before[2],
            after=_label(after)[0],
            after_options=_label(after)[1],
        )
        for witness, added, option, before, after in chosen
    ]
