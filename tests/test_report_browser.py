"""The HTML report in a real browser: headless Chromium draws the chart, and runs no script.

The report is written by `advisor decide --format html --output FILE` for a workload
whose name is a script payload, with a small rule pack whose scores are positive,
negative, zero and vetoed. Chromium (Debian's `chromium` package) loads the file, dumps
the DOM it built and takes a screenshot, whose pixels are measured.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from advisor.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install chromium); the browser is not available"
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--force-color-profile=srgb",
    "--window-size=1100,2400",
]

# A script that would retitle the page and mark the body, and an image whose error handler would.
NAME = (
    "<script>document.title='pwned';document.body.setAttribute('data-pwned','script')</script>"
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
)
PACK = """\
pack: chart-check
version: "0.1"
title: Chart check
claims:
  C1: {section: "1. Раздел", quote: "Цитата источника.", text: "A quote of the source."}
options:
  alpha: {title: Alpha, summary: The first.}
  beta: {title: Beta, summary: The second.}
  gamma: {title: Gamma, summary: The third.}
  delta: {title: Delta, summary: The fourth.}
rules:
  - id: spread
    dimension: architecture
    when: {architecture: microservices}
    effects: {alpha: 7, beta: -3, delta: 2}
    because: Alpha gains, Beta loses, Delta gains a little.
    sources: [C1]
  - id: rule-out-delta
    dimension: isolation
    when: {isolation: strict}
    effects: {delta: veto}
    because: Delta cannot isolate strictly.
    sources: [C1]
"""
SCORES = {"alpha": 7, "beta": -3, "gamma": 0, "delta": 2}
FILLS = {"alpha": (0x2B, 0x8A, 0x3E), "beta": (0x42, 0x63, 0xEB)}
# A vetoed bar is hatched: stripes of these two colours, never a plain fill.
HATCH = ((0xCF, 0x22, 0x2E), (0xDE, 0xE2, 0xE6))


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with a throw-away profile."""
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The HTML report of the payload workload, written by the CLI with --output."""
    folder = tmp_path_factory.mktemp("browser")
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "workload.yaml").write_text(
        "name: " + '"' + NAME.replace('"', '\\"') + '"\n'
        "requirements: {architecture: microservices, isolation: strict}\n",
        encoding="utf-8",
    )
    out = folder / "report.html"
    result = CliRunner().invoke(
        cli,
        [
            "decide",
            str(folder / "workload.yaml"),
            "--rules",
            str(folder / "pack.yaml"),
            "-f",
            "html",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def dom(report, tmp_path_factory) -> Dom:
    """The DOM Chromium built from the report, after loading it (and running any script)."""
    return dump_dom(tmp_path_factory.mktemp("profile"), report)


class Dom(HTMLParser):
    """The elements of a serialised DOM: tags with attributes, and the text of some."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, str] = {}  # the text of the first title and h1
        self._open: list[str] = []
        self._seen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("title", "h1"):
            self._seen.add(tag)
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in ("title", "h1"):
            if tag in self._open and tag not in self._seen:
                self.texts[tag] = self.texts.get(tag, "") + data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.elements if t == tag]


def dump_dom(profile: Path, page: Path) -> Dom:
    dom = Dom()
    dom.feed(chromium(profile, "--dump-dom", page.as_uri()).stdout)
    return dom


def test_the_check_would_see_a_script_that_ran(tmp_path):
    """Control: the same payload unescaped in a plain page does run in this browser, and the check sees it."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>control</title></head><body>{NAME}</body></html>")
    dom = dump_dom(tmp_path / "profile", page)
    assert dom.texts["title"] == "pwned"
    assert dom.all("body")[0].get("data-pwned") in ("script", "img")


def test_the_script_payload_in_the_workload_name_does_not_run(dom):
    """In the browser's DOM the workload name is text: no script or img element, title and body untouched."""
    assert dom.all("script") == [] and dom.all("img") == []
    assert "data-pwned" not in dom.all("body")[0]
    assert dom.texts["h1"] == NAME
    assert dom.texts["title"] == f"{NAME}: Recommendation: Alpha"


def test_the_chart_has_one_bar_per_option_sized_by_its_score(dom):
    """The rendered DOM has a rect per option; widths follow |score| on one scale, around one zero axis."""
    svg = dom.all("svg")[0]
    axis = float(svg["data-axis"])
    rects = {attrs["data-score"]: attrs for attrs in dom.all("rect") if "data-score" in attrs}
    assert sorted(int(s) for s in rects) == sorted(SCORES.values())
    widths = {int(score): float(r["width"]) for score, r in rects.items()}
    unit = widths[7] / 7
    assert unit > 10
    for score, width in widths.items():
        assert width == pytest.approx(abs(score) * unit, abs=0.01), score
    assert float(rects["7"]["x"]) == axis
    assert float(rects["-3"]["x"]) + widths[-3] == pytest.approx(axis)
    assert float(rects["0"]["x"]) == axis and widths[0] == 0


def test_the_screenshot_shows_the_bars_painted_at_their_widths(report, dom, tmp_path):
    """In a screenshot, each bar's colour spans as many pixels as its rect is wide (±2 for the axis line)."""
    shot = tmp_path / "report.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", report.as_uri())
    image = Image.open(shot).convert("RGB")
    expected = {r["data-score"]: float(r["width"]) for r in dom.all("rect") if "data-score" in r}
    assert expected["7"] > 100
    for option, colour in FILLS.items():
        run = longest_run(image, colour)
        assert abs(run - expected[str(SCORES[option])]) <= 2, (option, run)


def longest_run(image, colour: tuple[int, int, int]) -> int:
    """The longest horizontal run of pixels of exactly this colour in an RGB image."""
    width, height = image.size
    data = image.tobytes()
    pattern = re.compile(b"(?:" + re.escape(bytes(colour)) + b")+")
    best = 0
    for y in range(height):
        row, pos = data[y * width * 3 : (y + 1) * width * 3], 0
        while match := pattern.search(row, pos):
            if match.start() % 3:  # straddles two pixels; look again from the next pixel
                pos = match.start() + 3 - match.start() % 3
                continue
            best = max(best, (match.end() - match.start()) // 3)
            pos = match.end()
    return best


def test_the_vetoed_bar_is_drawn_as_vetoed(report, dom, tmp_path):
    """The vetoed option's bar is hatched in red and grey, its label struck, and the vetoing rule named beside it."""
    bars = {g["data-option"]: g for g in dom.all("g") if (g.get("class") or "").startswith("bar ")}
    assert bars["delta"]["class"] == "bar vetoed" and bars["alpha"]["class"] == "bar chosen"
    delta = next(r for r in dom.all("rect") if r.get("data-score") == "2")
    assert delta["fill"] == "url(#vetoed)"
    html = report.read_text(encoding="utf-8")
    assert "vetoed by rule-out-delta</tspan>" in html
    shot = tmp_path / "report.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", report.as_uri())
    image = Image.open(shot).convert("RGB")
    for colour in HATCH:
        assert 0 < longest_run(image, colour) < float(delta["width"]), colour  # stripes, not one fill
    assert longest_run(image, (0xAD, 0xB5, 0xBD)) == 0  # no plain grey bar any more


def test_the_grid_cells_hold_each_options_points_per_dimension(dom):
    """The dimension grid's cells carry the points each option got in each dimension, and the veto, as rendered."""
    cells = {(g["data-row"], g["data-option"]): g for g in dom.all("g") if "data-row" in g}
    assert cells[("0", "alpha")]["data-points"] == "7" and cells[("0", "beta")]["data-points"] == "-3"
    assert cells[("0", "gamma")]["data-points"] == "0" and cells[("0", "delta")]["data-points"] == "2"
    assert cells[("1", "delta")].get("data-vetoed") == "true"
    total = {o: cells[("2", o)]["data-points"] for o in SCORES}
    assert {o: int(v) for o, v in total.items()} == SCORES


def test_the_plugin_platform_report_prints_on_at_most_three_a4_pages(tmp_path):
    """Printed to PDF by Chromium, the report of examples/plugin-platform.yaml takes at most 3 A4 pages."""
    out = tmp_path / "plugin-platform.html"
    example = Path(__file__).resolve().parent.parent / "examples" / "plugin-platform.yaml"
    result = CliRunner().invoke(cli, ["decide", str(example), "-f", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", out.as_uri())
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert 1 <= pages <= 3, pages
    # A4 is 595 x 842 points.
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert sizes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in sizes)
