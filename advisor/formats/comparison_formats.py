"""Renderers of a what-if comparison (``advisor decide --what-if``): the decision, what the
changes do to it, and the changed decision; JSON carries both decisions and the difference."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..records import to_data
from . import RenderOptions, inert, register, to_json
from .decision_formats import render_html, render_markdown, render_text

if TYPE_CHECKING:
    from ..decision_model import Comparison


def _context(comparison: Comparison, options: RenderOptions) -> dict[str, Any]:
    data = inert(to_data(comparison))
    before, after = data["before"], data["after"]
    fired = {r["rule"]: r for r in before["fired"] + after["fired"]}
    return {
        "c": data,
        "d": before,
        "after": after,
        "titles": {o["id"]: o["title"] for o in before["options"]},
        "rules": fired,
        "width": options.width,
        "date": options.date,
    }


def _diff(template: str, comparison: Comparison, options: RenderOptions, color: bool = False) -> str:
    from .templating import render_shipped

    return render_shipped(template, _context(comparison, options), color=color, lang=options.lang)


def _plain(options: RenderOptions) -> RenderOptions:
    return replace(options, template=None)


@register("comparison", "text", "the decision, what the changes do to it, and the changed decision")
def render_comparison_text(comparison: Comparison, options: RenderOptions) -> str:
    plain = _plain(options)
    return "\n".join(
        [
            render_text(comparison.before, plain),
            _diff("whatif.txt.j2", comparison, plain, color=options.color),
            render_text(comparison.after, plain),
        ]
    )


@register("comparison", "md", "the what-if's differences, then both Markdown reports")
def render_comparison_markdown(comparison: Comparison, options: RenderOptions) -> str:
    plain = _plain(options)
    return "\n".join(
        [_diff("whatif.md.j2", comparison, plain), render_markdown(comparison.before, plain),
         render_markdown(comparison.after, plain)]
    )


@register("comparison", "html", "the changed decision's report, opening with what the changes did")
def render_comparison_html(comparison: Comparison, options: RenderOptions) -> str:
    plain = _plain(options)
    # The report's own page, with the differences as its first section.
    differences = _diff("whatif.html.j2", comparison, plain)
    return render_html(comparison.after, plain).replace("<main>", "<main>\n" + differences, 1)


@register("comparison", "json", "both decisions and their differences as JSON")
def render_comparison_json(comparison: Comparison, options: RenderOptions) -> str:
    return to_json(to_data(comparison))
