"""The requirement space of a pack, in blocks: the exact arithmetic behind ``advisor rules analyze``.

A requirement set states each field or leaves it out. Which rules fire depends only on
the fields the rules read, and the fields fall into *blocks*: two fields are in one block
when some rule reads both. A rule's condition reads one block only, so the rules that
fire for a requirement set are the union of what fires in each block, and the blocks
vary independently. Each block is enumerated whole (a few hundred assignments), with
conditions evaluated by :meth:`Condition.holds`; what a block contributes to the
outcome is its points per option, the options it vetoes and whether anything fired. The
contributions of all blocks are then combined by a convolution that merges equal sums,
each with its multiplicity (how many requirement sets lead there) and a *witness*: one
requirement set with the fewest stated fields that leads there. Fields no rule reads
only multiply the counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import prod
from typing import Any

from . import scoring
from .rulepack import RulePack
from .workload import REQUIREMENT_FIELDS, allowed_values

Witness = tuple[int, ...]  # stated fields as codes (field's index * 64 + value's index), sorted
Key = tuple[tuple[int, ...], int, bool]  # points per option, vetoed options (a bit mask), anything fired
Outcome = tuple  # ("recommended", option, margin) | ("tie", options) | ("all_vetoed",) | ("no_rules_fired",)
Dist = dict[Key, tuple[int, "Witness"]]  # contribution -> (requirement sets, least witness)
_ORDER = {name: i for i, name in enumerate(REQUIREMENT_FIELDS)}


def better(a: Witness, b: Witness) -> bool:
    """Whether witness ``a`` is preferred to ``b``: fewer stated fields, then the earlier fields and values."""
    return (len(a), a) < (len(b), b)


def merge(a: Witness, b: Witness) -> Witness:
    """Two witnesses over disjoint fields as one."""
    return tuple(sorted(a + b))


def encode(stated: dict[str, Any]) -> Witness:
    """A requirement set as a witness."""
    return tuple(sorted(_ORDER[f] * 64 + allowed_values(f).index(v) for f, v in stated.items()))


def decode(witness: Witness) -> dict[str, Any]:
    """A witness as the requirement set it stands for, in model order."""
    found = {}
    for code in witness:
        name = REQUIREMENT_FIELDS[code // 64]
        found[name] = allowed_values(name)[code % 64]
    return found


@dataclass
class Block:
    """Fields read together by some rule, the rules that read them, and every assignment's fired rules."""

    fields: tuple[str, ...]
    rules: tuple[str, ...]
    # fired rule ids (in pack order) -> (how many assignments fire exactly them, the least such assignment)
    local: dict[tuple[str, ...], tuple[int, Witness]] = field(default_factory=dict)

    def assignments(self) -> Iterable[dict[str, Any]]:
        """Every assignment of the block's fields (each unstated or one of its values)."""
        for combo in itertools.product(*[[None, *allowed_values(f)] for f in self.fields]):
            yield {f: v for f, v in zip(self.fields, combo, strict=True) if v is not None}


class Space:
    """A pack's requirement space in blocks, with its contributions and the outcome of each."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.options = tuple(pack.options)
        self.rule_ids = tuple(r.id for r in pack.rules)
        reads = {r.id: r.when.fields() for r in pack.rules}
        self.read = tuple(f for f in REQUIREMENT_FIELDS if any(f in fs for fs in reads.values()))
        self.fields = REQUIREMENT_FIELDS
        self.size = prod(len(allowed_values(f)) + 1 for f in REQUIREMENT_FIELDS)
        self.unread = prod(len(allowed_values(f)) + 1 for f in REQUIREMENT_FIELDS if f not in self.read)
        self.blocks = [self._fill(b) for b in _blocks(self.read, reads, self.rule_ids)]
        self._effects = {r.id: self._effect(r.id) for r in pack.rules}
        self._judged: dict[Key, Outcome] = {}

    def _fill(self, block: Block) -> Block:
        conditions = [(rid, self.pack.rule(rid).when) for rid in block.rules]
        for stated in block.assignments():
            fired = tuple(rid for rid, when in conditions if when.holds(stated))
            witness = encode(stated)
            count, best = block.local.get(fired, (0, witness))
            block.local[fired] = (count + 1, witness if better(witness, best) else best)
        return block

    def _effect(self, rule_id: str) -> tuple[tuple[int, ...], int]:
        effects = self.pack.rule(rule_id).effects
        points = tuple(e if isinstance(e, int) else 0 for e in (effects.get(o, 0) for o in self.options))
        vetoes = sum(1 << i for i, o in enumerate(self.options) if effects.get(o) == "veto")
        return points, vetoes

    def key(self, fired: Iterable[str]) -> Key:
        """What these fired rules contribute: points per option, vetoed options, whether any fired."""
        points = [0] * len(self.options)
        vetoes, any_fired = 0, False
        for rid in fired:
            add, veto = self._effects[rid]
            points = [a + b for a, b in zip(points, add, strict=True)]
            vetoes |= veto
            any_fired = True
        return canon(tuple(points), vetoes, any_fired)

    def distribution(self, block: Block) -> dict[Key, tuple[int, Witness]]:
        """A block's contributions, each with its multiplicity and least witness."""
        found: dict[Key, tuple[int, Witness]] = {}
        for fired, (count, witness) in block.local.items():
            _add(found, self.key(fired), count, witness)
        return found

    def outcome(self, stated: dict[str, Any]) -> Outcome:
        """The outcome for one requirement set, from the conditions evaluated in Python."""
        return self.judge(self.key(self.fired(stated)))

    def fired(self, stated: dict[str, Any]) -> list[str]:
        """The rules whose conditions hold for one requirement set, in pack order."""
        return [rid for rid in self.rule_ids if self.pack.rule(rid).when.holds(stated)]

    def identity(self) -> Dist:
        """The distribution of no block at all: nothing fired, once."""
        return {((0,) * len(self.options), 0, False): (1, ())}

    def judge(self, key: Key) -> Outcome:
        """The outcome of a total contribution, as :func:`advisor.scoring.standing` decides it."""
        found = self._judged.get(key)
        if found is None:
            found = self._judged[key] = _judge(key, self.options)
        return found


def combine(a: dict[Key, tuple[int, Witness]], b: dict[Key, tuple[int, Witness]]) -> dict[Key, tuple[int, Witness]]:
    """The convolution of two independent distributions: sums of contributions, merged when equal."""
    found: dict[Key, tuple[int, Witness]] = {}
    for (pa, va, fa), (ca, wa) in a.items():
        for (pb, vb, fb), (cb, wb) in b.items():
            key = canon(tuple(x + y for x, y in zip(pa, pb, strict=True)), va | vb, fa or fb)
            _add(found, key, ca * cb, merge(wa, wb))
    return found


def add_keys(a: Key, b: Key) -> Key:
    """Two contributions together."""
    return canon(tuple(x + y for x, y in zip(a[0], b[0], strict=True)), a[1] | b[1], a[2] or b[2])


def canon(points: tuple[int, ...], vetoes: int, any_fired: bool) -> Key:
    """A contribution in its canonical form, which leads to the same outcomes with anything
    added to it: a vetoed option's points never count again (a veto is never lifted), and
    adding the same points to every option changes no outcome, so the points are counted
    from the first option not vetoed."""
    shown = [0 if vetoes >> i & 1 else p for i, p in enumerate(points)]
    base = next((p for i, p in enumerate(shown) if not vetoes >> i & 1), 0)
    return tuple(p - base if not vetoes >> i & 1 else 0 for i, p in enumerate(shown)), vetoes, any_fired


def _add(found: dict, key: Key, count: int, witness: Witness) -> None:
    old = found.get(key)
    if old is None:
        found[key] = (count, witness)
    else:
        found[key] = (old[0] + count, witness if better(witness, old[1]) else old[1])


def _judge(key: Key, options: tuple[str, ...]) -> Outcome:
    """The outcome, by the decision's own scoring (memoised per key by :meth:`Space.judge`)."""
    points, vetoes, any_fired = key
    if not any_fired:
        return ("no_rules_fired",)
    where = scoring.stand(
        dict(zip(options, points, strict=True)), {o: ["veto"] for i, o in enumerate(options) if vetoes >> i & 1}
    )
    if where.status == "recommended":
        return ("recommended", where.recommendation, where.margin)
    if where.status == "tie":
        return ("tie", where.best)
    return (where.status,)


def _blocks(read: tuple[str, ...], reads: dict[str, set[str]], rule_ids: tuple[str, ...]) -> list[Block]:
    """The read fields grouped by the rules that read them together (union-find), in model order."""
    parent = {f: f for f in read}

    def root(f: str) -> str:
        while parent[f] != f:
            f = parent[f]
        return f

    for fs in reads.values():
        ordered = [f for f in read if f in fs]
        for other in ordered[1:]:
            parent[root(other)] = root(ordered[0])
    groups: dict[str, list[str]] = {}
    for f in read:
        groups.setdefault(root(f), []).append(f)
    return [
        Block(tuple(fs), tuple(rid for rid in rule_ids if reads[rid] and reads[rid] <= set(fs)))
        for fs in groups.values()
    ]
