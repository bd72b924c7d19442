"""The fleet page of a check result: one self-contained HTML page (no script) with a chart of the advice."""

from __future__ import annotations

import posixpath
import urllib.parse
from typing import TYPE_CHECKING, Any

from ..errors import visible_path
from . import RenderOptions, register

if TYPE_CHECKING:
    from ..check_result import CheckResult
from .check_formats import _context

# The fleet page's chart geometry, in SVG user units (pixels at 100% zoom).
FLEET_CHART = {"label_width": 190, "plot_width": 420, "value_width": 80, "bar_height": 22, "gap": 10, "pad": 8}
_ATTENTION = ("fail", "warn", "error")


@register("check", "html", "one self-contained HTML page for the whole fleet (no script)")
def render_html(result: CheckResult, options: RenderOptions) -> str:
    from ..check_result import EXPIRING_DAYS
    from .templating import render_shipped

    data, lines, _ = _context(result)
    # The link names the file's own bytes; the text shows its path on one printable line.
    rows = [dict(r, path=visible_path(r["path"]), message=m, href=_href(r["path"], options.link_base))
            for r, m in zip(data["results"], lines, strict=True)]
    baseline = data.get("baseline")
    known = {(visible_path(f["path"]), f["workload"]) for f in baseline["known"]} if baseline else set()
    context = {
        "result": data,
        "attention": {v: [r for r in rows if r["verdict"] == v] for v in _ATTENTION},
        "undeclared": [r for r in rows if r["verdict"] != "error" and r["declared"] is None],
        "known": known,
        "chart": _advice_chart(result),
        "today": result.today,
        "expiring": [w.model_dump(mode="json") for w in result.expiring_waivers],
        "expiring_days": EXPIRING_DAYS,
    }
    return render_shipped("check.html.j2", context, lang=result.lang)


def _href(path: str, base: str) -> str:
    """A link to a workload file: relative (from ``base``, the current folder as seen from
    the page) for a relative path, a file URI for an absolute one; percent-encoded, so no
    character of a path can start a scheme or end the attribute."""
    if path.startswith("/"):
        return "file://" + _quote(path)
    joined = posixpath.normpath(posixpath.join(base, path)) if base else path
    return "./" + _quote(joined) if not joined.startswith("../") else _quote(joined)


def _quote(path: str) -> str:
    """``path`` percent-encoded as the bytes it names: a name that is not UTF-8 reaches
    advisor with its bytes escaped as surrogates, and links to the file by those bytes."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "backslashreplace")
    return urllib.parse.quote(raw)


def _advice_chart(result: CheckResult) -> dict[str, Any]:
    """Geometry of a horizontal bar chart: how many workloads each option is recommended
    for, then the ties and the workloads left with no allowed option (when any)."""
    c = FLEET_CHART
    advice = result.advice()
    counted = [(option, option, count) for option, count in advice.options]
    counted += [(None, "tie", n) for n in (advice.tied,) if n] + [(None, "none", n) for n in (advice.none,) if n]
    unit = c["plot_width"] / max([n for _, _, n in counted] or [1])
    bars = []
    for index, (option, kind, count) in enumerate(counted):
        y = c["pad"] + index * (c["bar_height"] + c["gap"])
        bars.append({"option": option, "kind": kind, "count": count, "x": c["label_width"], "y": y,
                     "width": round(count * unit, 2), "text_y": y + c["bar_height"] // 2 + 5})
    height = 2 * c["pad"] + len(bars) * c["bar_height"] + max(len(bars) - 1, 0) * c["gap"]
    width = c["label_width"] + c["plot_width"] + c["value_width"]
    return {**c, "bars": bars, "height": height, "width": width, "value_x": c["label_width"] + c["plot_width"] + 8}
