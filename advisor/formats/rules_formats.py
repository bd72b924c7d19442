"""Renderers of rule packs, for ``advisor rules list`` and ``advisor rules packs``."""

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
    from ..packviews import dimension_titles
    from .templating import render_shipped

    context = {
        "pack": pack_data(pack),
        "describe": {r.id: r.when.describe() for r in pack.rules},
        "dimensions": dimension_titles(pack),
    }
    return render_shipped("rules.txt.j2", context)


@register("rules", "json", "the rules as JSON")
def render_rules_json(pack: RulePack, options: RenderOptions) -> str:
    return to_json(pack_data(pack))


def packs_data(packs: list[RulePack]) -> list[dict[str, Any]]:
    """Each pack's identity as plain data: name, title, version, options and number of rules."""
    return [
        {"pack": p.name, "title": p.title, "version": p.version, "options": list(p.options), "rules": len(p.rules)}
        for p in packs
    ]


@register("packs", "text", "one line per shipped pack")
def render_packs_text(packs: list[RulePack], options: RenderOptions) -> str:
    from .templating import render_shipped

    return render_shipped("packs.txt.j2", {"packs": packs_data(packs)})


@register("packs", "json", "the shipped packs as JSON")
def render_packs_json(packs: list[RulePack], options: RenderOptions) -> str:
    return to_json(packs_data(packs))
