"""advisor's records as real ADR tools read them: adr-tools and log4brains."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import cli

from .test_adr import make_project


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The adr tests' project folder: test pack, two workloads, a fixed date."""
    return make_project(tmp_path, monkeypatch)


needs_adr_tools = pytest.mark.skipif(
    shutil.which("adr") is None, reason="adr-tools is not installed (Debian package adr-tools; .ci/run installs it)"
)


def advisor_adr(runner, *args: str) -> str:
    """Run ``advisor adr`` with the test pack; return the path it printed."""
    result = runner.invoke(cli, ["adr", *args, "--rules", "pack.yaml"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def adr_tools(cwd: Path, *args: str) -> str:
    """Run adr-tools' ``adr`` (with an editor that does nothing); return its output."""
    env = {**os.environ, "VISUAL": "true", "EDITOR": "true"}
    done = subprocess.run(["adr", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- adr-tools ----------------------------------------------------------------------------------


@needs_adr_tools
def test_adr_tools_lists_advisors_records_in_order_with_titles(env, runner):
    """After `adr init`, advisor's records (adr-tools' format there) appear in `adr list` and the TOC."""
    adr_tools(env, "init")
    written = [
        advisor_adr(runner, "ledger.yaml"),
        advisor_adr(runner, "api.yaml"),
        advisor_adr(runner, "ledger.yaml", "--supersedes", "2", "--title", "Ledger: containers after all"),
    ]
    assert written == [
        "doc/adr/0002-run-ledger-on-virtual-machines.md",
        "doc/adr/0003-run-api-on-docker-containers.md",
        "doc/adr/0004-ledger-containers-after-all.md",
    ]
    assert adr_tools(env, "list").splitlines() == ["doc/adr/0001-record-architecture-decisions.md", *written]
    toc = adr_tools(env, "generate", "toc").splitlines()
    assert toc[2:] == [
        "* [1. Record architecture decisions](0001-record-architecture-decisions.md)",
        "* [2. Run ledger on Virtual machines](0002-run-ledger-on-virtual-machines.md)",
        "* [3. Run api on Docker containers](0003-run-api-on-docker-containers.md)",
        "* [4. Ledger: containers after all](0004-ledger-containers-after-all.md)",
    ]
    old = (env / written[0]).read_text(encoding="utf-8")
    assert "## Status\n\nSuperseded by [4. Ledger: containers after all](0004-ledger-containers-after-all.md)\n" in old
    # adr-tools goes on numbering after advisor's records
    assert adr_tools(env, "new", "Use", "Postgres").strip() == "doc/adr/0005-use-postgres.md"


@needs_adr_tools
def test_adr_tools_and_advisor_agree_on_the_folder(env, runner):
    """A folder set up by `adr init DIR` (a .adr-dir) is found by advisor from a sub-folder too."""
    adr_tools(env, "init", "architecture/decisions")
    sub = env / "services" / "ledger"
    sub.mkdir(parents=True)
    for name in ("pack.yaml", "ledger.yaml"):
        shutil.copy(env / name, sub / name)
    os.chdir(sub)
    path = advisor_adr(runner, "ledger.yaml")
    record = "architecture/decisions/0002-run-ledger-on-virtual-machines.md"
    assert (sub / path).resolve() == env / record
    assert adr_tools(sub, "list").splitlines()[-1].endswith(record)


@needs_adr_tools
@pytest.mark.parametrize("init", [("architecture/decisions",), ()], ids=["adr-dir", "doc-adr"])
def test_an_adr_tools_folder_stays_nygard_after_a_madr_record(env, runner, init):
    """In a folder adr-tools set up, one --template madr record does not turn later records into MADR."""
    adr_tools(env, "init", *init)
    folder = env / (init[0] if init else "doc/adr")
    advisor_adr(runner, "ledger.yaml", "--template", "madr")
    later = env / advisor_adr(runner, "api.yaml")
    assert later.read_text(encoding="utf-8").startswith("# 3. Run api on Docker containers\n")
    # adr-tools can supersede and link advisor's later record as its own
    new = adr_tools(env, "new", "-s", "3", "Use", "Postgres").strip()
    assert (env / new).parent == folder
    assert "Supersedes [3. Run api on Docker containers](0003-run-api-on-docker-containers.md)" in (
        env / new
    ).read_text(encoding="utf-8")


@needs_adr_tools
def test_links_to_and_from_nygard_records_carry_the_number(env, runner):
    """Supersede links read '[N. Title](file)' as adr-tools writes them, also to and from a MADR record."""
    adr_tools(env, "init")
    madr = env / advisor_adr(runner, "ledger.yaml", "--template", "madr")
    nygard = env / advisor_adr(runner, "api.yaml", "--supersedes", "2")
    assert f"Supersedes [2. Run ledger on Virtual machines]({madr.name})" in nygard.read_text(encoding="utf-8")
    advisor_adr(runner, "ledger.yaml", "--template", "madr", "--supersedes", "3", "--title", "Ledger again")
    status = nygard.read_text(encoding="utf-8").split("## Status\n\n", 1)[1].split("\n", 1)[0]
    assert status == "Superseded by [4. Ledger again](0004-ledger-again.md)"
    # the same text adr-tools' own `adr link` writes
    adr_tools(env, "link", "3", "Amended by", "1", "Amends")
    assert "Amends [3. Run api on Docker containers](0003-run-api-on-docker-containers.md)" in (
        env / "doc/adr/0001-record-architecture-decisions.md"
    ).read_text(encoding="utf-8")


@needs_adr_tools
def test_adr_tools_lists_madr_records_in_order(env, runner):
    """MADR records written by advisor are listed by `adr list` in number order."""
    written = [advisor_adr(runner, name) for name in ("ledger.yaml", "api.yaml", "ledger.yaml")]
    assert adr_tools(env, "list").splitlines() == written
    assert [Path(p).name[:4] for p in written] == ["0001", "0002", "0003"]


# --- log4brains' reading rules -------------------------------------------------------------------


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """Top-level blocks as a CommonMark renderer without front-matter support sees them.

    log4brains renders records with plain markdown-it, so a ``---`` line right under a
    paragraph line makes that paragraph a level-2 (setext) heading; elsewhere it is a rule.
    Blocks are ("h1".."h6" | "hr" | "ul" | "p", text); a list's text is its items, one a line.
    """
    blocks: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", " ".join(para)))
            para.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif para and re.fullmatch(r"=+|-+", stripped):
            blocks.append(("h1" if stripped[0] == "=" else "h2", " ".join(para)))
            para.clear()
        elif re.fullmatch(r"(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}", stripped):
            flush()
            blocks.append(("hr", ""))
        elif heading := re.match(r"(#{1,6})[ \t]+(.*?)[ \t#]*$", line):
            flush()
            blocks.append((f"h{len(heading.group(1))}", heading.group(2)))
        elif item := re.match(r"[-*+][ \t]+(.*)", line):
            flush()
            if blocks and blocks[-1][0] == "ul":
                blocks[-1] = ("ul", blocks[-1][1] + "\n" + item.group(1))
            else:
                blocks.append(("ul", item.group(1)))
        else:
            para.append(stripped)
    flush()
    return blocks


def log4brains_read(text: str) -> dict[str, str | None]:
    """Title, status and date as log4brains reads them.

    The title is the first level-1 heading; status and date come from the first bullet
    list among the blocks before the first level-2 heading (``- Status: accepted``).
    """
    blocks = markdown_blocks(text)
    title = next((t for kind, t in blocks if kind == "h1"), None)
    header = []
    for kind, body in blocks:
        if kind == "h2":
            break
        header.append((kind, body))
    items = next((body.splitlines() for kind, body in header if kind == "ul"), [])
    meta = {}
    for item in items:
        key, sep, value = item.partition(":")
        if sep:
            meta.setdefault(key.strip().lower(), value.strip())
    return {"title": title, "status": meta.get("status"), "date": meta.get("date")}


def test_the_reading_rule_sees_front_matter_as_a_heading():
    """Front matter closed right under its last line reads as a heading that hides the bullets."""
    hidden = "---\nstatus: accepted\ndate: 2024-03-05\n---\n\n# T\n\n- Status: accepted\n- Date: 2024-03-05\n\n## C\n"
    assert log4brains_read(hidden) == {"title": "T", "status": None, "date": None}


@pytest.mark.parametrize("title", [None, "Ledger: containers, after all", "Запуск в контейнерах"])
def test_madr_records_meet_log4brains_reading_rules(env, runner, title):
    """log4brains finds advisor's MADR title, status and date, despite the front matter above them."""
    args = ["ledger.yaml", "--status", "accepted", *(["--title", title] if title else [])]
    text = (env / advisor_adr(runner, *args)).read_text(encoding="utf-8")
    assert log4brains_read(text) == {
        "title": title or "Run ledger on Virtual machines",
        "status": "accepted",
        "date": "2024-03-05",
    }


def test_a_superseded_madr_record_reads_as_superseded(env, runner):
    """After --supersedes, log4brains reads the old record's status as 'superseded by' the new one."""
    old = env / advisor_adr(runner, "ledger.yaml")
    new = advisor_adr(runner, "api.yaml", "--supersedes", "1")
    slug = Path(new).name[: -len(".md")]
    status = log4brains_read(old.read_text(encoding="utf-8"))["status"]
    assert status == f"superseded by [{slug}]({slug}.md)"


def log4brains_core() -> str | None:
    """Where @log4brains/core is installed: $ADVISOR_LOG4BRAINS_CORE, else wherever node finds it."""
    if shutil.which("node") is None:
        return None
    explicit = os.environ.get("ADVISOR_LOG4BRAINS_CORE")
    if explicit:
        return explicit if Path(explicit, "package.json").is_file() else None
    found = subprocess.run(
        ["node", "-p", "require.resolve('@log4brains/core/package.json')"], capture_output=True, text=True
    )
    return str(Path(found.stdout.strip()).parent) if found.returncode == 0 else None


READER = """
const { Log4brains } = require(process.argv[2]);
Log4brains.create(process.argv[3]).searchAdrs().then((adrs) => {
  console.log(JSON.stringify(adrs.map((a) => ({
    slug: a.slug, title: a.title, status: a.status, date: a.publicationDate, supersededBy: a.supersededBy,
  }))));
}).catch((e) => { console.error(String(e)); process.exit(1); });
"""


def test_log4brains_reads_advisors_records(env, runner):
    """The real log4brains reads advisor's MADR records: titles, statuses, dates and supersession."""
    core = log4brains_core()
    if core is None:
        pytest.skip("log4brains is not installed (npm install @log4brains/core; .ci/run does)")
    (env / ".log4brains.yml").write_text("project:\n  name: test\n  tz: UTC\n  adrFolder: ./doc/adr\n")
    (env / "read.js").write_text(READER)
    first = Path(advisor_adr(runner, "ledger.yaml", "--status", "accepted")).name[:-3]
    second = Path(advisor_adr(runner, "api.yaml", "--supersedes", "1")).name[:-3]
    done = subprocess.run(["node", "read.js", core, str(env)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    adrs = {a["slug"]: a for a in json.loads(done.stdout)}
    assert adrs[first]["title"] == "Run ledger on Virtual machines"
    assert adrs[first]["status"] == "superseded"
    assert adrs[first]["supersededBy"] == second
    assert adrs[first]["date"].startswith("2024-03-05")
    assert adrs[second]["title"] == "Run api on Docker containers"
    assert adrs[second]["status"] == "proposed"
    assert adrs[second]["date"].startswith("2024-03-05")


# --- pyadr ----------------------------------------------------------------------------------


def test_pyadr_reads_advisors_madr_records(env, runner):
    """pyadr (which reads '* Status:' and '* Date:' lines) finds each record's title and status, superseded included."""
    pyadr = shutil.which("pyadr", path=str(Path(sys.executable).parent)) or shutil.which("pyadr")
    if pyadr is None:
        pytest.skip("pyadr is not installed (pip install pyadr)")
    first = advisor_adr(runner, "ledger.yaml", "--dir", "docs/adr", "--template", "madr", "--status", "accepted")
    second = advisor_adr(runner, "api.yaml", "--dir", "docs/adr", "--template", "madr", "--supersedes", "1")
    subprocess.run(["git", "init", "-q"], cwd=env, check=True)
    done = subprocess.run([pyadr, "toc"], cwd=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    toc = (env / "docs" / "adr" / "index.md").read_text(encoding="utf-8")
    superseded = toc.split("## Superseded Records", 1)[1].split("\n## ", 1)[0]
    assert f"* [0001 - Run ledger on Virtual machines]({Path(first).name}): superseded by" in superseded
    assert f"### Status `proposed`\n\n* [0002 - Run api on Docker containers]({Path(second).name})" in toc
    done = subprocess.run([pyadr, "check-adr-repo"], cwd=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "All checks passed." in done.stdout, done.stdout + done.stderr
