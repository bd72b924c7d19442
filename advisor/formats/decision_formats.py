"""Renderers of a decision: the terminal view, the Markdown and HTML reports, and JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import RenderOptions, register

if TYPE_CHECKING:
    from ..decision import Decision


def to_json(data: Any) -> str:
    """Deterministic, readable JSON with a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_context(decision: Decision, options: RenderOptions) -> dict[str, Any]:
    """What every decision template is given: the decision as plain data, and views of it."""
    from ..workload import DIMENSIONS, field_specs

    data = decision.model_dump(mode="json")
    rec = decision.recommendation
    specs = {spec.name: spec for spec in field_specs()}
    groups = []
    for dim, title in DIMENSIONS.items():
        rules = [r for r in data["fired"] if r["dimension"] == dim]
        if rules:
            groups.append({"id": dim, "title": title, "rules": rules})

    def strength(rule: dict[str, Any], option: str | None) -> int:
        effect = rule["effects"].get(option, 0)
        return 1000 if effect == "veto" else effect

    others = [o.id for o in decision.options if o.id != rec]
    tradeoffs = sorted(
        (r for r in data["fired"] if any(strength(r, o) > 0 or r["effects"].get(rec) == "veto" for o in others)),
        key=lambda r: -max(strength(r, o) for o in others) if others else 0,
    )
    top = max([abs(o.score) for o in decision.options] + [1])
    return {
        "decision": data,
        "titles": {o.id: o.title for o in decision.options},
        "claims": {c["id"]: c for c in data["claims"]},
        "groups": groups,
        "tradeoffs": tradeoffs if rec else [],
        "fields": {
            name: {"title": spec.title, "help": spec.help, "dimension": spec.dimension}
            for name, spec in specs.items()
        },
        "top_score": top,
        "date": options.date,
    }


def _render(template: str, decision: Decision, options: RenderOptions, color: bool = False) -> str:
    from .templating import render_shipped, render_user

    context = report_context(decision, options)
    if options.template:
        return render_user(options.template, context)
    return render_shipped(template, context, color=color)


@register("decision", "text", "the decision and its reasons, for a terminal")
def render_text(decision: Decision, options: RenderOptions) -> str:
    return _render("decision.txt.j2", decision, options, color=options.color)


@register("decision", "md", "a Markdown justification report")
def render_markdown(decision: Decision, options: RenderOptions) -> str:
    return _render("report.md.j2", decision, options)


@register("decision", "html", "a self-contained HTML justification report")
def render_html(decision: Decision, options: RenderOptions) -> str:
    return _render("report.html.j2", decision, options)


@register("decision", "json", "the decision as JSON (schema_version 1)")
def render_json(decision: Decision, options: RenderOptions) -> str:
    if options.template:
        return _render("", decision, options)
    return to_json(decision.model_dump(mode="json"))
