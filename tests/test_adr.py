"""advisor adr: folder discovery, numbering, slugs, safe writing, superseding, the two formats."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from advisor import adr, adr_supersede
from advisor.cli import cli
from advisor.errors import InputError, OutputError
from advisor.files import AlreadyExists, write_atomic

from .conftest import assert_golden

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1709640000"  # 2024-03-05 12:00 UTC

# A small pack of its own, so these records do not change when the shipped pack is tuned.
PACK = """\
pack: test-pack
version: "2.1.0"
title: Containers or machines (test pack)
source:
  title: A test source
  document: seed/test-source.txt
claims:
  C1: {section: "1. Isolation", quote: "Изоляция.", text: "A VM isolates more strongly than a container."}
  C2: {section: "2. Startup", quote: "Запуск.", text: "Containers start faster than VMs."}
  C3: {section: "3. Kernel", quote: "Ядро.", text: "Containers share the host's kernel."}
options:
  docker:
    title: Docker containers
    summary: Processes sharing the host's kernel.
  vm:
    title: Virtual machines
    summary: Whole guest systems on a hypervisor.
rules:
  - id: high-isolation
    dimension: isolation
    when: {isolation: high}
    effects: {vm: 4}
    because: A VM isolates more strongly, which matters when a breach must not spread.
    sources: [C1]
  - id: fast-start
    dimension: startup
    when: {startup: seconds}
    effects: {docker: 2}
    because: New instances must start within seconds, which containers do.
    sources: [C2]
  - id: elastic
    dimension: startup
    when: {scaling: elastic}
    effects: {docker: 2}
    because: VMs scale slowly; containers scale with the load.
    sources: [C2]
  - id: own-kernel
    dimension: architecture
    when: {custom_kernel: true}
    effects: {docker: veto, vm: 5}
    because: Containers share the host's kernel, so a kernel of its own needs a VM.
    sources: [C3]
  - id: no-machines
    dimension: architecture
    when: {full_os: false}
    effects: {vm: veto}
    because: Nothing here needs a machine of its own.
    sources: [C3]
"""

LEDGER = """\
name: ledger
description: Double-entry ledger of the payments platform.
declared: docker
requirements:
  isolation: high
  startup: seconds
"""

OLD_NYGARD = """\
# 1. Use virtual machines everywhere

Date: 2023-01-10

## Status

Accepted

Amends [0. Start](0000-start.md)

## Context

Everything ran on VMs.

## Decision

Keep it so.
"""


def make_project(folder: Path, monkeypatch) -> Path:
    """A folder to work in, with the test pack and two workloads (ledger, api), and a fixed date."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "ledger.yaml").write_text(LEDGER, encoding="utf-8")
    (folder / "api.yaml").write_text("name: api\nrequirements:\n  startup: seconds\n", encoding="utf-8")
    return folder


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A project folder made by make_project."""
    return make_project(tmp_path, monkeypatch)


def workload(env: Path, name: str, requirements: dict[str, str]) -> str:
    """Write a workload file with these requirements; return its name."""
    lines = [f"name: {name}", "requirements:" if requirements else "requirements: {}"]
    lines += [f"  {k}: {v}" for k, v in requirements.items()]
    (env / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{name}.yaml"


def run(runner, *args: str):
    """Invoke ``advisor adr`` with the test pack."""
    return runner.invoke(cli, ["adr", *args, "--rules", "pack.yaml"])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- numbering ----------------------------------------------------------------------------------


def test_numbering_starts_at_one_in_an_empty_or_missing_folder(tmp_path):
    """A folder with no records, or none at all, gives number 1."""
    assert adr.next_number(tmp_path / "missing") == 1
    (tmp_path / "empty").mkdir()
    assert adr.next_number(tmp_path / "empty") == 1


def test_numbering_goes_one_above_the_highest_and_keeps_gaps(tmp_path):
    """Gaps are not filled: the next number follows the highest one."""
    for name in ("0001-a.md", "0002-b.md", "0007-c.md"):
        (tmp_path / name).write_text("# x\n")
    assert adr.next_number(tmp_path) == 8


def test_numbering_ignores_files_that_are_not_records(tmp_path):
    """README, index, hidden, non-Markdown files and folders do not count as records."""
    (tmp_path / "0003-real.md").write_text("# x\n")
    for name in ("README.md", "index.md", "0042-notes.txt", ".0050-hidden.md", "12.md", "0060-draft.md.bak"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "0070-folder.md").mkdir()
    assert [r.number for r in adr.records(tmp_path)] == [3]
    assert adr.next_number(tmp_path) == 4


def test_cli_writes_numbered_records_one_after_another(env, runner):
    """Each run writes the next number and prints the path, relative to the current folder."""
    first = run(runner, "ledger.yaml")
    second = run(runner, "ledger.yaml", "--title", "Second thoughts")
    assert first.exit_code == 0, first.output
    assert first.output == "doc/adr/0001-run-ledger-on-virtual-machines.md\n"
    assert second.output == "doc/adr/0002-second-thoughts.md\n"
    assert sorted(tree(env / "doc/adr")) == ["0001-run-ledger-on-virtual-machines.md", "0002-second-thoughts.md"]


# --- slugs --------------------------------------------------------------------------------------

HOSTILE = [
    "../../etc/passwd",
    "a/b",
    "..",
    "/",
    "x\x00y\x1b[31mz\nw\r\tv",
    "🚀🔥 launch 🚀",
    "Запуск в контейнерах",
    "Выбор платформы для сервиса",
    "选择平台",
    "a" * 200,
    "word " * 40,
    "C:\\Windows\\system32",
    "-- --",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_slugs_of_hostile_titles_are_safe(title):
    """Whatever the title, the slug is non-empty lower-case ASCII words, at most 60 long."""
    slug = adr.slugify(title)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
    assert len(slug) <= 60


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("a/b", "a-b"),
        ("Run Ledger on VMs!", "run-ledger-on-vms"),
        ("Запуск в контейнерах", "zapusk-v-konteynerakh"),
        ("Crème brûlée", "creme-brulee"),
        ("选择平台", "decision"),
        ("🚀", "decision"),
        ("a" * 200, "a" * 60),
        ("word " * 40, "-".join(["word"] * 12)),
    ],
)
def test_slugs_transliterate_and_cut_on_words(title, slug):
    """Cyrillic is transliterated, accents dropped, other scripts left out, long titles cut on a word."""
    assert adr.slugify(title) == slug


@pytest.mark.parametrize("title", ["../../etc/passwd", "a/b", "x\x00y\x1b[31m\nz", "Только кириллица", "🚀"])
def test_hostile_titles_write_inside_the_folder(env, runner, title):
    """A hostile --title still writes one record inside the folder, with the title on one line."""
    result = run(runner, "ledger.yaml", "--title", title)
    assert result.exit_code == 0, result.output
    path = (env / result.output.strip()).resolve()
    assert path.parent == (env / "doc/adr").resolve()
    assert re.fullmatch(r"0001-[a-z0-9-]+\.md", path.name)
    heading = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    assert all(ch.isprintable() for ch in heading)
    assert list((env / "doc/adr").iterdir()) == [path]


def test_a_title_of_only_control_characters_is_refused(env, runner):
    """A title with nothing printable is an input error, and nothing is written."""
    result = run(runner, "ledger.yaml", "--title", "\x00\n\t")
    assert result.exit_code == 2
    assert "--title: the title is empty" in result.output
    assert not (env / "doc").exists()


# --- writing safely -------------------------------------------------------------------------------


def test_an_existing_file_is_never_overwritten(tmp_path):
    """When the chosen name appears meanwhile, it is kept and the next number is used."""
    intruder = tmp_path / "0001-x.md"

    def text_for(number: int, name: str) -> str:
        if number == 1 and not intruder.exists():
            intruder.write_text("another tool's record\n")  # appears between numbering and creation
        return f"# {number}. X\n"

    path = adr.publish(tmp_path, "x", text_for)
    assert path.name == "0002-x.md"
    assert intruder.read_text() == "another tool's record\n"
    assert path.read_text() == "# 2. X\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-x.md", "0002-x.md"]


def test_a_folder_or_dangling_link_with_the_name_takes_the_number(tmp_path):
    """Names taken by a folder or a dangling link are skipped like files, and left as they are."""
    (tmp_path / "0001-old.md").write_text("# 1. Old\n")
    (tmp_path / "0002-x.md").mkdir()
    (tmp_path / "0003-x.md").symlink_to(tmp_path / "nowhere")
    path = adr.publish(tmp_path, "x", lambda number, name: f"# {number}. X\n")
    assert path.name == "0004-x.md"
    assert (tmp_path / "0002-x.md").is_dir() and (tmp_path / "0003-x.md").is_symlink()


def test_write_atomic_refuses_an_existing_file_distinguishably(tmp_path):
    """write_atomic(overwrite=False) on an existing file raises AlreadyExists (an OutputError) and keeps it."""
    target = tmp_path / "kept.md"
    target.write_bytes(b"kept\r\n")
    with pytest.raises(AlreadyExists) as caught:
        write_atomic(target, "new\n", overwrite=False)
    assert isinstance(caught.value, OutputError) and isinstance(caught.value, FileExistsError)
    assert str(caught.value) == f"{target}: already exists; not overwritten (use --force)"
    assert target.read_bytes() == b"kept\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.md"]


def test_records_are_written_where_hard_links_are_refused(tmp_path, monkeypatch):
    """On a file system without hard links, records are still created exclusively, whole, with no temporary file."""

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "0001-x.md").write_text("another tool's record\n")
    path = adr.publish(tmp_path, "x", lambda number, name: f"# {number}. X\r\n")
    assert path.name == "0002-x.md"
    assert path.read_bytes() == b"# 2. X\r\n"
    assert (tmp_path / "0001-x.md").read_text() == "another tool's record\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0001-x.md", "0002-x.md"]
    with pytest.raises(AlreadyExists):
        write_atomic(path, "over\n", overwrite=False)
    assert path.read_bytes() == b"# 2. X\r\n"


def test_two_threads_never_share_a_number(tmp_path):
    """Writers racing in threads, with different titles, each get a number of their own."""
    barrier = threading.Barrier(6)
    paths: list[Path] = []

    def slow(number: int, name: str) -> str:
        time.sleep(0.02)  # widen the window between numbering and creation
        return f"# {number}. {name}\n"

    def writer(i: int) -> None:
        barrier.wait()
        paths.append(adr.publish(tmp_path, f"writer-{i}", slow))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = sorted(int(p.name[:4]) for p in paths)
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_two_processes_never_share_a_number(tmp_path):
    """Separate advisor processes started at the same moment write distinct numbers."""
    go = tmp_path / "go"
    folder = tmp_path / "adr"
    folder.mkdir()
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from advisor.adr import publish\n"
        "go = Path(sys.argv[1])\n"
        "while not go.exists(): time.sleep(0.005)\n"
        "def slow(n, name):\n"
        "    time.sleep(0.03)\n"
        "    return f'# {n}. {name}\\n'\n"
        "print(publish(Path(sys.argv[2]), sys.argv[3], slow).name)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(go), str(folder), f"proc-{i}"],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i in range(4)
    ]
    time.sleep(0.5)  # let every process import and wait
    go.write_text("")
    names = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(int(n[:4]) for n in names) == [1, 2, 3, 4]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_a_failed_write_leaves_nothing(env, runner, monkeypatch):
    """When the file cannot be created, the command exits 2 and leaves no file or folder behind."""

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "link", refuse)
    result = run(runner, "ledger.yaml")
    assert result.exit_code == 2
    assert result.output.startswith("advisor: ") and "Permission denied" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (env / "doc").exists()


def test_a_folder_under_a_file_cannot_be_written(env, runner):
    """--dir below a regular file exits 2 naming the problem, and writes nothing."""
    (env / "plain.txt").write_text("x\n")
    before = tree(env)
    result = run(runner, "ledger.yaml", "--dir", "plain.txt/adr")
    assert result.exit_code == 2
    assert "cannot create the folder" in result.output
    assert tree(env) == before


def test_dir_that_is_a_file_is_refused(env, runner):
    """--dir naming a file exits 2 and writes nothing."""
    (env / "notes.md").write_text("x\n")
    before = tree(env)
    result = run(runner, "ledger.yaml", "--dir", "notes.md")
    assert result.exit_code == 2
    assert "is a file, not a folder of records" in result.output
    assert tree(env) == before


def test_a_workload_error_writes_nothing(env, runner):
    """A broken workload is reported as decide reports it (file:line), with exit 2 and no record."""
    (env / "bad.yaml").write_text("name: bad\nrequirements:\n  isolation: extreme\n", encoding="utf-8")
    result = run(runner, "bad.yaml")
    assert result.exit_code == 2
    assert result.output.startswith("advisor: bad.yaml:3: ")
    assert not (env / "doc").exists()


def test_stdout_prints_the_record_and_writes_nothing(env, runner):
    """--stdout prints the record that would be written next, byte for byte the same each time."""
    first = run(runner, "ledger.yaml", "--output", "-")
    second = run(runner, "ledger.yaml", "--output", "-")
    assert first.exit_code == 0
    assert first.output == second.output
    assert first.output.startswith("---\nstatus: proposed\ndate: 2024-03-05\n")
    assert not (env / "doc").exists()


def test_the_date_is_today_without_source_date_epoch(env, runner, monkeypatch):
    """Without SOURCE_DATE_EPOCH the record carries today's date (UTC)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    result = run(runner, "ledger.yaml", "--output", "-")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"* Date: {today}\n" in result.output


def test_a_bad_source_date_epoch_writes_nothing(env, runner, monkeypatch):
    """A SOURCE_DATE_EPOCH that is not a Unix time exits 2 naming it, and writes nothing."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run(runner, "ledger.yaml")
    assert result.exit_code == 2
    assert result.output == "advisor: SOURCE_DATE_EPOCH: 'yesterday' is not a Unix time\n"
    assert not (env / "doc").exists()


# --- folder discovery ----------------------------------------------------------------------------


def test_discovery_creates_doc_adr_when_nothing_is_there(tmp_path):
    """With no marker and no known folder, records go in doc/adr under the current folder."""
    assert adr.find_folder(None, tmp_path) == tmp_path.resolve() / "doc/adr"


def test_discovery_order(tmp_path):
    """--dir, then at each level up: .adr-dir (relative to itself), doc/adr, docs/decisions."""
    top = tmp_path.resolve()
    sub = top / "service" / "src"
    sub.mkdir(parents=True)
    (top / "docs/decisions").mkdir(parents=True)
    assert adr.find_folder(None, sub) == top / "docs/decisions"
    (top / "doc/adr").mkdir(parents=True)
    assert adr.find_folder(None, sub) == top / "doc/adr"
    (top / ".adr-dir").write_text("architecture/records\n")
    assert adr.find_folder(None, sub) == top / "architecture/records"
    (top / "service/doc/adr").mkdir(parents=True)
    assert adr.find_folder(None, sub) == top / "service/doc/adr"  # the nearest level wins, as in adr-tools
    assert adr.find_folder("elsewhere", sub) == sub / "elsewhere"


def test_adr_dir_naming_a_file_is_refused(tmp_path):
    """A .adr-dir that names a file is an error that names the .adr-dir."""
    (tmp_path / "records").write_text("x\n")
    (tmp_path / ".adr-dir").write_text("records\n")
    with pytest.raises(OutputError, match=r"\.adr-dir: .*is a file"):
        adr.find_folder(None, tmp_path)


def test_discovery_stops_at_the_repository_root(tmp_path):
    """Records outside the checkout (above the folder holding .git) are never picked up."""
    top = tmp_path.resolve()
    repo = top / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    (top / "doc/adr").mkdir(parents=True)
    (top / ".adr-dir").write_text("elsewhere\n")
    assert adr.find_folder(None, repo / "src") == repo / "src/doc/adr"
    (repo / "docs/decisions").mkdir(parents=True)
    assert adr.find_folder(None, repo / "src") == repo / "docs/decisions"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"records\xff\n", r"\.adr-dir:1: not UTF-8 text"),
        (b"x" * (1024 * 1024 + 1), r"\.adr-dir: file is larger than 1024 KiB"),
        (b"one\ntwo\n", r"\.adr-dir: should hold one folder name"),
    ],
)
def test_an_unreadable_adr_dir_is_one_line_naming_it(tmp_path, content, message):
    """A .adr-dir that is not UTF-8, too big, or names several folders is an InputError naming it."""
    (tmp_path / ".adr-dir").write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        adr.find_folder(None, tmp_path)
    assert "\n" not in str(caught.value)


def test_cli_writes_where_adr_dir_points(env, runner):
    """A .adr-dir file in the current folder sends the record to its folder."""
    (env / ".adr-dir").write_text("architecture/decisions\n")
    result = run(runner, "ledger.yaml")
    assert result.output == "architecture/decisions/0001-run-ledger-on-virtual-machines.md\n"


# --- superseding --------------------------------------------------------------------------------


def changed_lines(before: str, after: str) -> list[int]:
    """Indexes of the lines that differ (the line count must not change)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def test_supersede_a_madr_record(env, runner):
    """The old MADR record gets 'superseded by' in front matter and bullet; no other byte changes."""
    assert run(runner, "ledger.yaml").exit_code == 0
    old = env / "doc/adr/0001-run-ledger-on-virtual-machines.md"
    before = old.read_text(encoding="utf-8")
    result = run(runner, "ledger.yaml", "--supersedes", "1", "--title", "Ledger on VMs, again")
    assert result.exit_code == 0, result.output
    after = old.read_text(encoding="utf-8")
    lines = after.splitlines()
    assert [lines[i] for i in changed_lines(before, after)] == [
        'status: "superseded by [0002-ledger-on-vms-again](0002-ledger-on-vms-again.md)"',
        "* Status: superseded by [0002-ledger-on-vms-again](0002-ledger-on-vms-again.md)",
    ]
    new = (env / "doc/adr/0002-ledger-on-vms-again.md").read_text(encoding="utf-8")
    assert "* Supersedes [0001-run-ledger-on-virtual-machines](0001-run-ledger-on-virtual-machines.md).\n" in new


def test_supersede_keeps_crlf_line_endings(env, runner):
    """An old record with Windows line endings keeps them, and its other bytes."""
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    old = folder / "0001-old.md"
    lines = ["---", "{}", "date: 2023-01-01", "---", "", "# Old", "", "{}", "", "## Context", ""]
    text = "\r\n".join(lines)
    old.write_bytes(text.format("status: accepted", "- Status: accepted").encode())
    assert run(runner, "ledger.yaml", "--supersedes", "1").exit_code == 0
    link = "[0002-run-ledger-on-virtual-machines](0002-run-ledger-on-virtual-machines.md)"
    expected = text.format(f'status: "superseded by {link}"', f"- Status: superseded by {link}")
    assert old.read_bytes() == expected.encode()


def test_supersede_keeps_a_byte_order_mark(env, runner):
    """An old record starting with a UTF-8 byte order mark keeps it; its front matter is still found."""
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    old = folder / "0001-old.md"
    text = "---\r\n{}\r\n---\r\n\r\n# Old\r\n\r\n{}\r\n\r\n## Context\r\n"
    old.write_bytes(b"\xef\xbb\xbf" + text.format("status: accepted", "- Status: accepted").encode())
    assert run(runner, "ledger.yaml", "--supersedes", "1").exit_code == 0
    link = "[0002-run-ledger-on-virtual-machines](0002-run-ledger-on-virtual-machines.md)"
    expected = text.format(f'status: "superseded by {link}"', f"- Status: superseded by {link}")
    assert old.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# 1. Old\n\n## Status\n\nAccepted \xff\n", "0001-old.md:5: not UTF-8 text"),
        (b"# 1. Old\n\n## Status\n\nAccepted\n" + b"x" * (1024 * 1024), "0001-old.md: file is larger than 1024 KiB"),
    ],
)
def test_supersede_an_unreadable_record_writes_nothing(env, runner, content, message):
    """An old record that is not UTF-8 or larger than 1 MiB exits 2 naming it, and nothing is written."""
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    (folder / "0001-old.md").write_bytes(content)
    before = tree(env)
    result = run(runner, "ledger.yaml", "--supersedes", "1", "--template", "madr")
    assert result.exit_code == 2
    assert message in result.output and len(result.output.splitlines()) == 1
    assert tree(env) == before


def test_supersede_a_nygard_record(env, runner):
    """The old adr-tools record's status word becomes a 'Superseded by' link; the rest is untouched."""
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    old = folder / "0001-use-virtual-machines-everywhere.md"
    old.write_text(OLD_NYGARD, encoding="utf-8")
    result = run(runner, "ledger.yaml", "--supersedes", "1", "--title", "Containers for the ledger")
    assert result.exit_code == 0, result.output
    after = old.read_text(encoding="utf-8")
    assert [after.splitlines()[i] for i in changed_lines(OLD_NYGARD, after)] == [
        "Superseded by [2. Containers for the ledger](0002-containers-for-the-ledger.md)"
    ]
    new = (folder / "0002-containers-for-the-ledger.md").read_text(encoding="utf-8")
    assert new.startswith("# 2. Containers for the ledger\n")  # the folder's format: adr-tools'
    assert "Supersedes [1. Use virtual machines everywhere](0001-use-virtual-machines-everywhere.md)\n" in new


def test_supersede_adds_a_line_when_the_status_section_has_no_status_word(tmp_path):
    """A Status section holding only links gets a 'Superseded by' line at its end."""
    text = "# 1. X\n\n## Status\n\nAmends [0. Y](0000-y.md)\n\n## Context\n"
    new = adr_supersede.Link(2, "0002-z.md", "2. Z")
    assert adr_supersede.mark_superseded(text, new) == (
        "# 1. X\n\n## Status\n\nAmends [0. Y](0000-y.md)\n\nSuperseded by [2. Z](0002-z.md)\n\n## Context\n"
    )


def test_supersede_a_missing_record_writes_nothing(env, runner):
    """--supersedes naming no record exits 2 with a clear message, and writes nothing."""
    assert run(runner, "ledger.yaml").exit_code == 0
    before = tree(env)
    result = run(runner, "ledger.yaml", "--supersedes", "7")
    assert result.exit_code == 2
    assert "--supersedes: there is no ADR 7 in" in result.output
    assert tree(env) == before


def test_supersede_a_record_without_status_writes_nothing(env, runner):
    """An old record with no status to change is refused before anything is written."""
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    (folder / "0001-free-form.md").write_text("# Free form\n\nNo status here.\n", encoding="utf-8")
    before = tree(env)
    result = run(runner, "ledger.yaml", "--supersedes", "1")
    assert result.exit_code == 2
    assert "0001-free-form.md: has no status to mark superseded" in result.output
    assert tree(env) == before


def test_a_failed_supersede_removes_the_new_record(env, runner, monkeypatch):
    """If the old record cannot be rewritten, the new record is taken back: nothing changes."""
    assert run(runner, "ledger.yaml").exit_code == 0
    before = tree(env)
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    result = run(runner, "ledger.yaml", "--supersedes", "1")
    assert result.exit_code == 2
    assert tree(env) == before


# --- formats ------------------------------------------------------------------------------------


def golden_run(env: Path, runner, fmt: str) -> str:
    """The record of the ledger workload in ``fmt``, superseding a Nygard record 1, printed."""
    folder = env / "records"
    folder.mkdir(exist_ok=True)
    (folder / "0001-use-virtual-machines-everywhere.md").write_text(OLD_NYGARD, encoding="utf-8")
    result = run(runner, "ledger.yaml", "--dir", "records", "--template", fmt, "--supersedes", "1",
                 "--status", "accepted", "--output", "-")
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_golden_records(env, runner, fmt):
    """Each format renders the ledger decision exactly as its golden file (SOURCE_DATE_EPOCH set)."""
    assert_golden(f"adr-{fmt}.md", golden_run(env, runner, fmt))


def test_the_folder_format_is_the_default(env, runner):
    """A new folder gets MADR; a folder whose newest record is adr-tools' gets Nygard."""
    assert run(runner, "ledger.yaml", "--output", "-").output.startswith("---\n")
    folder = env / "doc/adr"
    folder.mkdir(parents=True)
    (folder / "0001-use-virtual-machines-everywhere.md").write_text(OLD_NYGARD, encoding="utf-8")
    assert run(runner, "ledger.yaml", "--output", "-").output.startswith("# 2. Run ledger on Virtual machines\n")
    assert run(runner, "ledger.yaml", "--output", "-", "--template", "madr").output.startswith("---\n")


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_a_tie_is_told_honestly(env, runner, fmt):
    """A tie chooses nothing: the title and outcome say what is left to decide."""
    name = workload(env, "tied", {"isolation": "high", "startup": "seconds", "scaling": "elastic"})
    text = run(runner, name, "--output", "-", "--template", fmt).output
    assert "Choose the platform of tied" in text
    assert "Docker containers and Virtual machines tie on 4 points" in text if fmt == "madr" else "tie under" in text
    assert "Chosen option" not in text and "We will run" not in text


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_all_vetoed_is_told_honestly(env, runner, fmt):
    """When every option is vetoed, the record says the requirements contradict each other."""
    name = workload(env, "stuck", {"custom_kernel": "true", "full_os": "false"})
    text = run(runner, name, "--output", "-", "--template", fmt).output
    assert "every option is ruled out by a veto" in text
    assert "contradict each other" in text
    if fmt == "madr":
        assert "(Docker containers by own-kernel; Virtual machines by no-machines)" in text


def test_no_rule_fired_is_told_honestly(env, runner):
    """A workload no rule applies to gets a record that asks for more requirements."""
    name = workload(env, "vague", {})
    text = run(runner, name, "--output", "-").output
    assert "no rule of the pack applies to the requirements stated" in text
    assert "* No requirement was stated.\n" in text


def test_a_users_template_is_rendered_in_the_sandbox(env, runner):
    """--template FILE renders the user's template with the record's facts."""
    (env / "mine.md.j2").write_text("# {{ adr.id }} {{ adr.title }} ({{ decision.recommendation }})\n")
    result = run(runner, "ledger.yaml", "--template", "mine.md.j2")
    assert result.exit_code == 0, result.output
    assert (env / result.output.strip()).read_text() == "# 0001 Run ledger on Virtual machines (vm)\n"


def test_a_hostile_users_template_writes_nothing(env, runner):
    """A template that reaches for Python internals exits 2 and writes nothing."""
    (env / "evil.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    result = run(runner, "ledger.yaml", "--template", "evil.j2")
    assert result.exit_code == 2
    assert "evil.j2" in result.output
    assert not (env / "doc").exists()


def test_an_unknown_template_name_is_refused(env, runner):
    """A --template that is neither madr, nygard nor a file exits 2."""
    result = run(runner, "ledger.yaml", "--template", "madr3")
    assert result.exit_code == 2
    assert result.output == "advisor: madr3: is neither a template file nor one of madr, nygard\n"


def test_library_refuses_an_unknown_status(env):
    """The library checks the status as the command line does."""
    with pytest.raises(InputError, match="'final' is not a status"):
        adr.write_adr("ledger.yaml", status="final")


PAYLOAD = "<script>alert(1)</script>"
NASTY = f'{PAYLOAD} a | b <img src=x onerror=alert(2)> *em* [link](https://evil.invalid/) `tick`'


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_workload_text_is_inert_in_a_record(env, runner, fmt):
    """A workload name or description with markup shows as text when the record is rendered as HTML (log4brains)."""
    from markdown_it import MarkdownIt

    (env / "evil.yaml").write_text(
        f"name: {json.dumps(NASTY)}\ndescription: {json.dumps(NASTY)}\nrequirements: {{isolation: high}}\n",
        encoding="utf-8",
    )
    result = run(runner, "evil.yaml", "--template", fmt, "--title", "Run it", "--output", "-")
    assert result.exit_code == 0, result.output
    html = MarkdownIt("commonmark", {"html": True}).render(result.output)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The same text unescaped would have produced those tags: the check can fail.
    raw = MarkdownIt("commonmark", {"html": True}).render("Text: " + NASTY)
    assert "<script" in raw and "<a " in raw


THREE = ROOT / "tests" / "packs" / "three-options.yaml"


@pytest.mark.parametrize(
    ("name", "requirements"),
    [
        (
            "ledger",
            "{architecture: microservices, untrusted_code: false, startup: seconds, density: high, os_testing: true}",
        ),
        ("tied", "{untrusted_code: false, startup: seconds}"),
    ],
)
@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_records_of_three_options_match_their_golden_files(env, runner, fmt, name, requirements):
    """With three options a record gives each its own pros and cons, a veto with its trigger, a tie of two."""
    (env / f"{name}.yaml").write_text(f"name: {name}\ndeclared: vm\nrequirements: {requirements}\n", encoding="utf-8")
    (env / "tests" / "packs").mkdir(parents=True)  # the pack inside the project, so the record names it relatively
    shutil.copy(THREE, env / "tests" / "packs" / THREE.name)
    rules = "tests/packs/three-options.yaml"
    result = runner.invoke(cli, ["adr", f"{name}.yaml", "--template", fmt, "--output", "-", "--rules", rules])
    assert result.exit_code == 0, result.output
    assert_golden(f"adr-three-{name}-{fmt}.md", result.output)
