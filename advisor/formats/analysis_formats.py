"""Renderers of a pack's analysis over its whole requirement space, for ``advisor rules analyze``."""

from __future__ import annotations

from typing import Any

from ..analysis_model import Analysis, Region
from . import RenderOptions, inert, register, to_json


@register("analysis", "text", "the findings, one section each")
def render_analysis_text(analysis: Analysis, options: RenderOptions) -> str:
    a = analysis
    lines = [
        f"{a.pack} {a.version}: {a.space:,} requirement sets ({a.fields} fields, each unstated or one of its values)",
        f"rules read {len(a.read)} fields, in {len(a.blocks)} blocks: "
        + "; ".join(", ".join(b) for b in a.blocks),
    ]
    if a.partial:
        lines.append(f"PARTIAL: the time allowed ran out before: {', '.join(a.unfinished)}")
    lines += ["", "Outcomes:"]
    for o in a.outcomes:
        what = o.outcome if o.outcome != "tie" else "tie of " + ", ".join(o.options)
        lines.append(f"  {what:<40} {o.count:>15,}  {o.share:8.4f}%")
    lines += ["", f"Dead rules (never fire): {_names(a.dead)}"]
    never = "not worked out" if "never_decisive" in a.unfinished else _names(a.never_decisive)
    lines.append(f"Never-decisive rules (removing one changes no outcome anywhere): {never}")
    lines.append(f"Rules that always fire together: {'; '.join(' + '.join(g) for g in a.together) or 'none'}")
    lines += ["", f"Tie regions ({len(a.ties)}), with their least requirement sets:"]
    lines += _regions(a.ties[: a.top])
    lines += ["", f"Regions of a margin of at most {a.close_margin} ({len(a.close)}):"]
    lines += _regions(a.close[: a.top])
    lines.append("")
    if "monotonicity" in a.unfinished:
        lines.append("Monotonicity: not worked out")
    else:
        lines.append(f"Monotonicity violations: {a.violations:,}")
    for v in a.violation_examples:
        after = v.after if v.after != "tie" else "a tie of " + ", ".join(v.after_options)
        lines.append(
            f"  {_set(v.requirements)} recommends {v.favours} by {v.before_margin}; adding {_set(v.added)}, "
            f"which alone recommends {v.favours}, gives {after}"
        )
    return "\n".join(inert(lines)) + "\n"


def _names(rules: list[str]) -> str:
    return ", ".join(rules) or "none"


def _set(stated: dict[str, Any]) -> str:
    shown = {k: ("true" if v is True else "false" if v is False else v) for k, v in stated.items()}
    return "{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}"


def _regions(regions: list[Region]) -> list[str]:
    lines = []
    for r in regions:
        what = "tie of " + ", ".join(r.options) if r.outcome == "tie" else f"{r.options[0]} by {r.margin}"
        least = "; ".join(_set(m) for m in r.minimal[:3])
        lines.append(f"  {what:<40} {r.count:>15,}  e.g. {least}")
    return lines or ["  none"]


@register("analysis", "json", "the whole analysis as JSON")
def render_analysis_json(analysis: Analysis, options: RenderOptions) -> str:
    return to_json(inert(analysis.model_dump(mode="json")))
