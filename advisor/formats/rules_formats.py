"""Renderers of a rule pack, for ``advisor rules list``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import RenderOptions, register, to_json

if TYPE_CHECKING:
    from ..rulepack import RulePack


def pack_data(pack: RulePack) -> dict[str, Any]:
    """A pack as plain data: its identity, options and rules."""
    return {
        "pack": pack.name,
        "version": pack.version,
        "options": {o.id: {"title": o.title, "summary": o.summary} for o in pack.options.values()},
        "rules": [
            {
                "id": r.id,
                "dimension": r.dimension,
                "condition": r.when.to_data(),
                "effects": r.effects,
                "because": r.because,
                "sources": list(r.sources),
            }
            for r in pack.rules
        ],
    }


@register("rules", "text", "one block per rule")
def render_rules_text(pack: RulePack, options: RenderOptions) -> str:
    from .templating import render_shipped

    return render_shipped(
        "rules.txt.j2",
        {
            "pack": pack_data(pack),
            "describe": {r.id: r.when.describe() for r in pack.rules},
            "dimensions": {d.id: d.title for d in pack.dimensions.values()},
        },
    )


@register("rules", "json", "the rules as JSON")
def render_rules_json(pack: RulePack, options: RenderOptions) -> str:
    return to_json(pack_data(pack))
