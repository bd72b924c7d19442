"""``advisor decide --what-if``: a decision next to the same workload with some requirements changed.

A change is written ``field=value``: ``true`` and ``false`` for a yes/no field, a value
the field allows otherwise, and ``unstated`` (or nothing after ``=``) to leave the field
out. The changed requirements are validated as a workload file's are, with its messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import yamlfile
from .decision import decide
from .decision_model import Change, Comparison, Decision, ScoreChange
from .errors import InputError
from .records import replace
from .rulepack import RulePack
from .validation import suggest
from .workload import REQUIREMENT_FIELDS, Workload, allowed_values, workload_from_document

WHERE = "--what-if"
UNSTATED = ("", "unstated")


def parse_changes(texts: Sequence[str]) -> dict[str, Any]:
    """The changes ``field=value`` as a mapping of field to value (None: leave unstated)."""
    found: dict[str, Any] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep:
            raise InputError(f"'{text}': write FIELD=VALUE; fields: {', '.join(REQUIREMENT_FIELDS)}", path=WHERE)
        if name not in REQUIREMENT_FIELDS:
            raise InputError(
                f"unknown field '{name}'{suggest(name, REQUIREMENT_FIELDS)}; "
                f"choose one of {', '.join(REQUIREMENT_FIELDS)}",
                path=WHERE,
            )
        is_bool = allowed_values(name) == (True, False)
        found[name] = None if raw in UNSTATED else {"true": True, "false": False}.get(raw, raw) if is_bool else raw
    return found


def changed(workload: Workload, changes: dict[str, Any]) -> Workload:
    """The workload with the changes applied, validated as a workload file's requirements are."""
    data = {k: v for k, v in {**workload.requirements.stated(), **changes}.items() if v is not None}
    doc = yamlfile.Document(data={"name": workload.name, "requirements": data}, source=WHERE)
    try:
        found = workload_from_document(doc)
    except InputError as error:
        error.field = (error.field or "").removeprefix("requirements.") or None  # a --what-if names fields alone
        raise
    return replace(workload, requirements=found.requirements)


def compare(workload: Workload, pack: RulePack, texts: Sequence[str], lang: str = "en") -> Comparison:
    """The workload's decision, the decision with the changes ``field=value``, and what differs."""
    changes = parse_changes(texts)
    after_workload = changed(workload, changes)
    before = decide(workload, pack, lang=lang)
    after = decide(after_workload, pack, lang=lang)
    stated = workload.requirements.stated()
    return Comparison(
        changes=[Change(field=f, value=v, was=stated.get(f)) for f, v in changes.items()],
        before=before,
        after=after,
        outcome_changed=_outcome(before) != _outcome(after),
        scores=[ScoreChange(option=o, before=before.scores[o], after=after.scores[o]) for o in pack.options],
        vetoes_added=_only_in(after.vetoes, before.vetoes),
        vetoes_removed=_only_in(before.vetoes, after.vetoes),
        rules_fired=[r.rule for r in after.fired if r.rule not in {x.rule for x in before.fired}],
        rules_stopped=[r.rule for r in before.fired if r.rule not in {x.rule for x in after.fired}],
    )


def _outcome(d: Decision) -> tuple:
    return d.status, d.recommendation, tuple(d.tied)


def _only_in(these: dict[str, list[str]], those: dict[str, list[str]]) -> dict[str, list[str]]:
    found = {o: [r for r in rules if r not in those.get(o, [])] for o, rules in these.items()}
    return {o: rules for o, rules in found.items() if rules}
