"""Renderers of a decision: the terminal view, the Markdown and HTML reports, and JSON.

Python prepares views of the decision (grouped, ranked, measured); the wording of the
reports is in the templates under ``reports/templates/`` (a rule's condition comes worded
from the pack's ``Condition.describe``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..records import to_data
from . import RenderOptions, inert, register, to_json

if TYPE_CHECKING:
    from ..decision_model import Decision

# The bar chart's geometry, in SVG user units (pixels at 100% zoom).
CHART = {"label_width": 190, "plot_width": 320, "value_width": 250, "bar_height": 24, "gap": 14, "pad": 10}


def printable(decision: Decision) -> Decision:
    """The decision with control characters in its text made visible, so no template passes
    an escape sequence from a workload or pack file to a terminal."""
    return inert(decision)


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


GRID = {"label_width": 190, "cell_width": 150, "cell_height": 30, "head_height": 34}


def dimension_grid(decision: Decision) -> dict[str, Any]:
    """Geometry of the dimension × option grid: the points each option gets in each dimension.

    A cell's shade grows with its points (green for points in favour, red against) on one
    scale for the whole grid; a veto is its own mark. The last row is the total score.
    """
    g = GRID
    options = [o.id for o in decision.options]
    rows = [(d.title, d.points, set(d.vetoes)) for d in decision.dimensions]
    rows.append(("", decision.scores, set(decision.vetoes)))  # the total row; the template names it
    largest = max([abs(v) for _, points, _ in rows[:-1] for v in points.values()] + [1])
    cells = []
    for r, (_, points, vetoed) in enumerate(rows):
        for c, option in enumerate(options):
            value = points.get(option, 0)
            cells.append(
                {
                    "row": r,
                    "option": option,
                    "points": value,
                    "vetoed": option in vetoed,
                    "x": g["label_width"] + c * g["cell_width"],
                    "y": g["head_height"] + r * g["cell_height"],
                    "tone": "plus" if value > 0 else ("minus" if value < 0 else "zero"),
                    "strength": round(0.15 + 0.85 * min(abs(value) / largest, 1), 2) if value else 0,
                }
            )
    return {
        **g,
        "columns": [
            {"option": o, "x": g["label_width"] + (i + 0.5) * g["cell_width"]}
            for i, o in enumerate(options)
        ],
        "rows": [
            {"title": title, "y": g["head_height"] + r * g["cell_height"], "total": r == len(rows) - 1}
            for r, (title, _, _) in enumerate(rows)
        ],
        "cells": cells,
        "width": g["label_width"] + len(options) * g["cell_width"],
        "height": g["head_height"] + len(rows) * g["cell_height"] + 1,
    }


def report_context(decision: Decision, options: RenderOptions) -> dict[str, Any]:
    """What every decision template is given: the decision as plain data, and lookups into it."""
    data = to_data(decision)
    fired = {r["rule"]: r for r in data["fired"]}
    claims = {c["id"]: c for c in data["claims"]}
    ranking = {r["option"]: r for r in data["ranking"]}
    steps = list(decision.option(decision.recommendation).next_steps) if decision.recommendation else []
    return {
        "decision": data,
        "dimensions": decision.dimensions,
        "titles": {o.id: o.title for o in decision.options},
        "claims": claims,
        "fields": data["fields"],
        "dimension_titles": {d["id"]: d["title"] for d in data["dimensions"]},
        "groups": [{**g, "rules": [fired[r] for r in g["rules"]]} for g in data["dimensions"]],
        "rules": fired,
        "ranking": ranking,
        "favouring": {o: len(r["pros"]) for o, r in ranking.items()},
        "tied": data["tied"],
        "triggers": {o.id: [t for t in data["veto_triggers"] if t["option"] == o.id] for o in decision.options},
        "tradeoffs": [{**t, "rule": fired[t["rule"]]} for t in data["tradeoffs"]],
        "next_steps": steps,
        "step_sources": list(dict.fromkeys(s for step in steps for s in step.get("sources", []) if s in claims)),
        "chart": score_chart(decision),
        "grid": dimension_grid(decision),
        "cited": [c["id"] for c in data["claims"]],
        "date": options.date,
        "width": options.width,
    }


def _render(template: str, decision: Decision, options: RenderOptions, color: bool = False) -> str:
    from .templating import render_either

    return render_either(template, report_context(printable(decision), options), options.template, color, options.lang)


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
    return to_json(to_data(decision))
