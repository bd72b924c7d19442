"""The rules engine: which rules of a compiled pack fire for a requirement set, by durable-rules.

This is the only module that imports ``durable``. It drives durable-rules' C engine
directly rather than through ``durable.engine.Host``: the public API spends most of its
time JSON-encoding state around every action and runs background threads that can take
an evaluation away. Every rule is still matched by durable-rules' own Rete network.

How one evaluation goes:

* the pack is split into rulesets of at most ``CHUNK`` rules and ``MAX_WAYS`` ways of
  matching (durable-rules fails when a fact can be matched in more ways within one
  ruleset) plus an always-true sentinel, so a fact is never unhandled;
* the workload's stated requirements are asserted as one fact tagged ``_fact:
  workload`` (every condition is guarded by that tag, so the engine's own state record
  never matches a rule);
* the queued actions are drained, one per matching rule, then the fact is retracted so
  that no session state accumulates.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import OrderedDict
from typing import Any

import durable_rules_engine as _dre

from .conditions import MAX_WAYS
from .errors import EngineError
from .packrecords import FACT_TAG, Rule, RulePack
from .workload import Requirements

CHUNK = 60
SENTINEL = "_advisor_sentinel"
CACHE_SIZE = 4096
_names = itertools.count(1)


class CompiledPack:
    """A pack registered with durable-rules, ready to evaluate requirement sets."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self._handles: list[int] = []
        self._cache: OrderedDict[tuple, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()
        order = {rule.id: i for i, rule in enumerate(pack.rules)}
        self._order = order
        for chunk in _chunks(pack.rules):
            definition: dict[str, Any] = {rule.id: {"all": [{"m": rule.durable_condition()}]} for rule in chunk}
            definition[SENTINEL] = {"all": [{"m": dict(FACT_TAG)}]}
            name = f"advisor-{pack.digest}-{next(_names)}"
            try:
                self._handles.append(_dre.create_ruleset(name, json.dumps(definition)))
            except Exception as exc:  # the C extension raises bare Exceptions with error codes
                raise EngineError(f"durable-rules refused the pack: {exc}", path=pack.path) from None

    def fired(self, requirements: Requirements) -> tuple[str, ...]:
        """The ids of the rules whose conditions hold, in pack order."""
        stated = requirements.stated()
        key = tuple(stated.items())
        with self._lock:  # durable-rules is not thread-safe, and neither is the cache
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
            fired = self._evaluate(stated)
            self._cache[key] = fired
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return fired

    def fired_many(self, sets: list[dict[str, Any]]) -> list[tuple[str, ...]]:
        """The fired rules for each of several stated requirement sets, under one hold of the lock.

        Each set is what ``Requirements.stated()`` gives (valid values, in model order): the
        caller builds them from allowed values, so they are not validated again.
        """
        found = []
        with self._lock:
            for stated in sets:
                key = tuple(stated.items())
                cached = self._cache.get(key)
                if cached is None:
                    cached = self._cache[key] = self._evaluate(stated)
                    if len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
                found.append(cached)
        return found

    def _evaluate(self, stated: dict[str, Any]) -> tuple[str, ...]:
        fact = _fact_json(stated)
        names: list[str] = []
        for handle in self._handles:
            try:
                code, state = _dre.assert_fact(handle, fact)
                if code != 0:  # 1: nothing matched it, 2: it was asserted before and never retracted
                    raise EngineError(f"durable-rules refused the workload fact (code {code})", path=self.pack.path)
                try:
                    result = _dre.start_action_for_state(handle, state)
                    message = result[1] if result else None
                    while message:
                        # An action message is {"<rule id>": {...}}; rule ids hold no quotes.
                        names.append(message[2 : message.index('"', 2)])
                        message = _dre.complete_and_start_action(handle, state)
                finally:
                    _dre.retract_fact(handle, fact)
            except EngineError:
                raise
            except Exception as exc:
                raise EngineError(f"durable-rules failed to evaluate: {exc}", path=self.pack.path) from None
        # A rule whose `any` matches in several ways is queued once per way.
        unique = set(names) - {SENTINEL}
        return tuple(sorted(unique, key=self._order.__getitem__))

    def close(self) -> None:
        """Unregister the rulesets from durable-rules."""
        for handle in self._handles:
            _dre.delete_ruleset(handle)
        self._handles = []


def _chunks(rules: tuple[Rule, ...]) -> list[tuple[Rule, ...]]:
    """The rules in runs of at most CHUNK rules and MAX_WAYS ways of matching (durable-rules
    fails with error 303 when a fact could be matched in more ways within one ruleset)."""
    chunks: list[tuple[Rule, ...]] = []
    start, ways = 0, 0
    for index, rule in enumerate(rules):
        if index - start == CHUNK or ways + rule.when.ways() > MAX_WAYS:
            chunks.append(rules[start:index])
            start, ways = index, 0
        ways += rule.when.ways()
    chunks.append(rules[start:])
    return chunks


def _fact_json(stated: dict[str, Any]) -> str:
    """The workload fact as durable-rules reads it.

    Field names and values come from the validated model (identifiers and booleans), so
    they need no escaping; building the text directly is several times cheaper than
    json.dumps on the hot path.
    """
    parts = ['"_fact":"workload","sid":"0","id":"w"']
    for name, value in stated.items():
        text = ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"


_compiled: OrderedDict[str, CompiledPack] = OrderedDict()
_COMPILED_KEPT = 16


def compiled(pack: RulePack) -> CompiledPack:
    """The compiled form of a pack: compiled once per process for the same rules."""
    entry = _compiled.get(pack.digest)
    if entry is None:
        entry = _compiled[pack.digest] = CompiledPack(pack)
        if len(_compiled) > _COMPILED_KEPT:
            _compiled.popitem(last=False)[1].close()
    _compiled.move_to_end(pack.digest)
    return entry
