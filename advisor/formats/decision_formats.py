"""Renderers of a decision: the terminal view, the Markdown and HTML reports, and JSON.

Python prepares views of the decision (grouped, ranked, measured); the wording of the
reports is in the templates under ``reports/templates/`` (a rule's condition comes worded
from the pack's ``Condition.describe``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import RenderOptions, inert, register, to_json

if TYPE_CHECKING:
    from ..decision import Decision

# The bar chart's geometry, in SVG user units (pixels at 100% zoom).
CHART = {"label_width": 190, "plot_width": 400, "value_width": 120, "bar_height": 24, "gap": 14, "pad": 10}


def printable(decision: Decision) -> Decision:
    """The decision with control characters in its text made visible, so no template passes
    an escape sequence from a workload or pack file to a terminal."""
    from ..decision import Decision

    return Decision.model_validate(inert(decision.model_dump(mode="json")))


def score_chart(decision: Decision) -> dict[str, Any]:
    """Geometry of a horizontal bar chart of the scores, with a zero axis.

    Bars grow right from the axis for positive scores and left for negative ones; a zero
    score has a zero-width bar. Every bar uses the same scale, so widths compare.
    """
    c = CHART
    scores = [o.score for o in decision.options]
    low, high = min([0, *scores]), max([0, *scores])
    unit = c["plot_width"] / ((high - low) or 1)
    axis = c["label_width"] + round(-low * unit, 2)
    bars = []
    for index, option in enumerate(decision.options):
        width = round(abs(option.score) * unit, 2)
        y = c["pad"] + index * (c["bar_height"] + c["gap"])
        role = "vetoed" if option.vetoed else ("chosen" if option.id == decision.recommendation else "other")
        bars.append(
            {
                "id": option.id,
                "title": option.title,
                "score": option.score,
                "role": role,
                "x": axis if option.score >= 0 else round(axis - width, 2),
                "y": y,
                "width": width,
                "text_y": y + c["bar_height"] // 2 + 5,
            }
        )
    height = 2 * c["pad"] + len(bars) * c["bar_height"] + max(len(bars) - 1, 0) * c["gap"]
    return {
        **c,
        "bars": bars,
        "axis": axis,
        "unit": round(unit, 4),
        "height": height,
        "width": c["label_width"] + c["plot_width"] + c["value_width"],
        "value_x": c["label_width"] + c["plot_width"] + 12,
    }


def report_context(decision: Decision, options: RenderOptions) -> dict[str, Any]:
    """What every decision template is given: the decision as plain data, and views of it."""
    from ..decision import points
    from ..workload import field_specs, format_value

    data = decision.model_dump(mode="json")
    rec = decision.recommendation
    specs = {spec.name: spec for spec in field_specs()}
    fields = {
        name: {
            "title": spec.title,
            "help": spec.help,
            "dimension": spec.dimension,
            "choices": {format_value(v): label for v, label in spec.choices.items()},
        }
        for name, spec in specs.items()
    }
    claims = {c["id"]: c for c in data["claims"]}
    groups = []
    for dim, title in decision.dimensions.items():
        rules = [r for r in data["fired"] if r["dimension"] == dim]
        if rules:
            groups.append({"id": dim, "title": title, "rules": rules})

    favouring = {o.id: sum(1 for r in decision.fired if points(r.effects.get(o.id, 0)) > 0) for o in decision.options}
    allowed = [o for o in decision.options if not o.vetoed]
    best = max((o.score for o in allowed), default=None)
    tied = [o.id for o in allowed if o.score == best] if decision.status == "tie" else []

    # The cost of the choice: every rule that pushes towards another option (or away from
    # the chosen one), strongest first; equal strengths keep the order the rules fired in.
    # A reason for a vetoed option stays: it still names something the choice gives up.
    tradeoffs = []
    if rec:
        for r in data["fired"]:
            pulls = [
                {"option": o, "points": e, "vetoed": o in decision.vetoes}
                for o, e in r["effects"].items()
                if o != rec and isinstance(e, int) and e > 0
            ]
            against = r["effects"].get(rec)
            if isinstance(against, int) and against < 0:
                pulls.append({"option": rec, "points": against, "vetoed": False})
            if pulls:
                strength = max(abs(p["points"]) for p in pulls)
                tradeoffs.append({"rule": r, "pulls": pulls, "strength": strength})
        tradeoffs.sort(key=lambda t: -t["strength"])

    steps = list(decision.option(rec).next_steps) if rec else []
    step_sources = list(dict.fromkeys(s for step in steps for s in step.get("sources", []) if s in claims))
    return {
        "decision": data,
        "dimensions": decision.dimensions,
        "titles": {o.id: o.title for o in decision.options},
        "claims": claims,
        "fields": fields,
        "groups": groups,
        "favouring": favouring,
        "tied": tied,
        "tradeoffs": tradeoffs,
        "next_steps": steps,
        "step_sources": step_sources,
        "chart": score_chart(decision),
        "date": options.date,
    }


def _render(template: str, decision: Decision, options: RenderOptions, color: bool = False) -> str:
    from .templating import render_either

    return render_either(template, report_context(printable(decision), options), options.template, color)


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
