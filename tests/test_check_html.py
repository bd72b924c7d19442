"""The fleet page, `advisor check --format html`: exact output for a small real fleet, and
the same page in headless Chromium (counts, links, and a script in a name that never runs).

``ADVISOR_UPDATE_GOLDEN=1 pytest tests/test_check_html.py`` rewrites tests/golden/check.fleet.html
after an intended change; review the diff.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from advisor.cli import cli
from advisor.formats.check_formats_page import _href

from .conftest import assert_golden
from .test_policy import PACK, workload
from .test_report_browser import CHROMIUM, NAME, dump_dom

POLICY = """\
waivers:
  - workload: legacy
    option: vm
    reason: Vendor support ends in January.
    expires: 2025-01-20
  - workload: old
    rule: own-kernel
    reason: Kernel module retired last year.
    expires: 2024-12-31
  - workload: later
    option: vm
    reason: Not soon.
    expires: 2026-01-01
"""


@pytest.fixture
def page(tmp_path, write, runner, monkeypatch) -> Path:
    """A small repository (every verdict, waivers expiring, lapsed and far off, a script
    payload as a name), its fleet page written by the CLI into a subfolder."""
    (tmp_path / ".git").mkdir()
    write("pack.yaml", PACK)
    write(".advisor.yaml", POLICY)
    services = {
        "api": workload("api", "docker", startup="seconds"),
        "cache": workload("cache", "vm", startup="seconds"),
        "kernel": workload("kernel", "docker", custom_kernel=True),
        "legacy": workload("legacy", "vm", startup="subsecond"),
        "old": workload("old", "docker", custom_kernel=True),
        "todo": workload("todo", None, startup="subsecond"),
        "odd #1?": "name: " + '"' + NAME.replace('"', '\\"') + '"\ndeclared: vm\nrequirements: {startup: subsecond}\n',
        "broken": "name: [unclosed\n",
    }
    for folder, text in services.items():
        write(f"services/{folder}/workload.yaml", text)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        cli, ["check", "services", "--rules", "pack.yaml", "--date", "2025-01-10", "-f", "html", "-o", "out/fleet.html"]
    )
    assert (result.exit_code, result.stderr) == (2, ""), result.output  # 2: the broken file
    return tmp_path / "out" / "fleet.html"


def test_the_fleet_page_matches_its_golden_file(page):
    """The page of a small real fleet is exactly the reviewed one: counts, chart, findings, waivers, undeclared."""
    assert_golden("check.fleet.html", page.read_text(encoding="utf-8"))


def test_links_are_relative_and_inert():
    """Links are relative to the page's folder and percent-encoded: no path can start a scheme or a fragment."""
    assert _href("services/a/workload.yaml", "") == "./services/a/workload.yaml"
    assert _href("services/a/workload.yaml", "..") == "../services/a/workload.yaml"
    assert _href("javascript:alert(1)/w.yaml", "") == "./javascript%3Aalert%281%29/w.yaml"
    assert _href("a #b?c/w.yaml", "") == "./a%20%23b%3Fc/w.yaml"
    assert _href("/abs/x y.yaml", "..") == "file:///abs/x%20y.yaml"


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install chromium)")
def test_in_chromium_counts_and_links_hold_and_no_script_runs(page, tmp_path):
    """In Chromium's DOM the counts are the check's, every file link reaches its workload file, and the
    script payload in a workload name is text: no script or img element, the title and body untouched."""
    dom = dump_dom(tmp_path / "profile", page)
    counts = {li["data-verdict"]: int(li["data-count"]) for li in dom.all("li") if "data-verdict" in li}
    assert counts == {"pass": 2, "warn": 1, "fail": 3, "unchecked": 1, "error": 1}
    assert dom.all("script") == [] and dom.all("img") == []
    assert "data-pwned" not in dom.all("body")[0]
    assert dom.texts["title"] == "advisor check: 8 files: 2 passed, 1 warned, 3 failed, 1 unchecked, 1 error"
    links = [a["href"] for a in dom.all("a") if a.get("class") == "file"]
    assert len(links) == 3 + 1 + 1 + 1  # failing and warning, broken, undeclared
    for href in links:
        target = (page.parent / unquote(urlparse(href).path)).resolve()
        assert target.is_file() and target.name == "workload.yaml", href
    assert any("odd%20%231%3F" in href for href in links)
    bars = {g["data-option"]: int(g["data-count"]) for g in dom.all("g")}
    assert bars == {"docker": 5, "vm": 2}
