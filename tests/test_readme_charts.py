"""The charts the README shows are the HTML report's own, for examples/plugin-platform.yaml."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from advisor import api
from advisor.formats import RenderOptions, render

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {"scores": ROOT / "docs" / "chart-scores.svg", "dimensions": ROOT / "docs" / "chart-dimensions.svg"}


def standalone_charts() -> dict[str, str]:
    """The report's two inline SVG charts as files of their own, carrying the report's chart styles."""
    page = render("decision", "html", api.decide(ROOT / "examples" / "plugin-platform.yaml"), RenderOptions())
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    rules = [line.strip().replace(":root", "svg") for line in css.splitlines()
             if re.match(r"\s*(:root|\.chart|\.grid)\b", line)]
    style = "<style>\n  svg { background: #fff; }\n  " + "\n  ".join(rules) + "\n</style>\n"
    charts = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(charts) == 2, "the report draws the scores and the dimension grid"
    return {name: re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + style, svg, count=1) + "\n"
            for name, svg in zip(FIGURES, charts, strict=True)}


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_readme_chart_is_the_report_chart(name):
    """docs/chart-*.svg, which the README shows, equal what the HTML report draws today."""
    expected = standalone_charts()[name]
    path = FIGURES[name]
    if os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1":
        assert not os.environ.get("CI"), "ADVISOR_UPDATE_GOLDEN is refused when CI is set"
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected
    assert f"]({path.relative_to(ROOT).as_posix()})" in (ROOT / "README.md").read_text(encoding="utf-8")
