"""Hostile input: unencodable text, FIFOs and devices, outputs that are inputs, ADR folders
outside the repository, control characters in paths, and templates that build huge values.

Each must end in exit 2 with one line (or in correct output), never a traceback, a hang,
a destroyed input or a stray file.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from advisor import files, yamlfile
from advisor.cli import cli
from advisor.errors import InputError, OutputError

from .conftest import EXAMPLES

PAYMENTS = EXAMPLES / "payments-api.yaml"
WORKLOAD = "name: w\ndeclared: docker\nrequirements: {architecture: microservices}\n"
MISMATCH = "name: w\ndeclared: vm\nrequirements: {architecture: microservices, startup: seconds}\n"


def one_error_line(result, starts: str = "advisor: ") -> str:
    """The single line of standard error, checked to be one line and no traceback."""
    assert "Traceback" not in result.output + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(starts), result.stderr
    return result.stderr


def run_advisor(*args: str, cwd: Path, timeout: float = 20, **kwargs) -> subprocess.CompletedProcess:
    """advisor in a child process, so a hang fails the test instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args], cwd=cwd, timeout=timeout, capture_output=True, text=True, **kwargs
    )


def leftovers(folder: Path) -> list[str]:
    """Temporary files write_atomic might have left in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- 1. text that cannot be encoded; clean-up on every exception --------------------------


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError, MemoryError])
def test_write_atomic_removes_its_temporary_file_on_any_exception(tmp_path, monkeypatch, error):
    """An interruption or any other exception while writing leaves no temporary file, and the old file as it was."""
    target = tmp_path / "report.md"
    target.write_text("old\n")

    def fail(*_):
        raise error("stop")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(error):
        files.write_atomic(target, "new\n")
    assert leftovers(tmp_path) == []
    assert target.read_text() == "old\n"


def test_unencodable_template_output_is_one_line_and_writes_nothing(runner, write, tmp_path):
    """A template producing a lone surrogate exits 2 naming it; --output is not created, no temporary file."""
    template = write("t.md.j2", 'ok\n{{ "\\ud800" }}\n')
    target = tmp_path / "out.md"
    for output in (["--output", str(target)], []):
        result = runner.invoke(cli, ["decide", str(PAYMENTS), "--template", str(template), *output])
        assert result.exit_code == 2
        assert result.stdout == ""
        line = one_error_line(result)
        assert "cannot be written as utf-8: it holds a lone surrogate \\ud800 (line 2); nothing written" in line
    assert not target.exists() and leftovers(tmp_path) == []


def test_unencodable_adr_leaves_no_record_and_no_folder(runner, write, tmp_path, monkeypatch):
    """An ADR template producing a lone surrogate exits 2; neither the record nor its new folder is left."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    template = write("t.md.j2", '{{ "\\udfff" }}\n')
    result = runner.invoke(cli, ["adr", str(PAYMENTS), "--template", str(template)])
    assert result.exit_code == 2
    one_error_line(result)
    assert not (tmp_path / "doc").exists()


def test_a_pack_title_with_a_lone_surrogate_is_shown_escaped(runner, write):
    """A surrogate in pack text (YAML "\\ud800") is shown as an escape in every decision format, not a crash."""
    pack = write("p.yaml", PACK.replace("title: T", 'title: "T \\ud800"'))
    work = write("w.yaml", "name: w\nrequirements: {density: high}\n")
    for fmt in ("text", "md", "html", "json"):
        result = runner.invoke(cli, ["decide", str(work), "--rules", str(pack), "-f", fmt])
        assert result.exit_code == 0, (fmt, result.stderr)
    assert "# w: T \\\\ud800\n" in runner.invoke(cli, ["decide", str(work), "--rules", str(pack), "-f", "md"]).stdout
    data = json.loads(runner.invoke(cli, ["decide", str(work), "--rules", str(pack), "-f", "json"]).stdout)
    assert data["pack"]["title"] == "T \ud800"  # JSON carries it escaped, and reads back exactly


def test_a_policy_pattern_with_a_lone_surrogate_reads_back_from_json(runner, write, tmp_path, monkeypatch):
    """A lone surrogate in a policy pattern is written to JSON as an escape that reads back exactly."""
    write(".advisor.yaml", 'patterns: ["\\ud800", "w.yaml"]\n')
    write("w.yaml", WORKLOAD)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["check", ".", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["policy"]["patterns"] == ["\ud800", "w.yaml"]


def test_a_folder_name_that_is_not_utf8_is_shown_byte_for_byte(runner, tmp_path, monkeypatch):
    """A non-UTF-8 folder name shows as \\xff in text and github output, %FF in SARIF, and reads back from JSON."""
    folder = tmp_path / os.fsdecode(b"\xff")
    folder.mkdir()
    (folder / "workload.yaml").write_text(MISMATCH)
    monkeypatch.chdir(tmp_path)
    outputs = {}
    for fmt in ("text", "github", "sarif", "junit", "json"):
        result = runner.invoke(cli, ["check", ".", "-f", fmt])
        assert result.exit_code == 1, (fmt, result.stderr)
        outputs[fmt] = result.stdout
    assert outputs["text"].startswith("FAIL      \\xff/workload.yaml:2: w: declares vm")
    assert "::error file=\\xff/workload.yaml,line=2," in outputs["github"]
    assert '"uri": "%FF/workload.yaml"' in outputs["sarif"]
    assert json.loads(outputs["json"])["results"][0]["path"] == os.fsdecode(b"\xff") + "/workload.yaml"


# --- 2. FIFOs and devices are never read -----------------------------------------------------


def test_check_reports_a_fifo_in_a_folder_and_checks_the_rest(tmp_path):
    """A FIFO (and a broken link) with a workload's name is reported, never opened; the other files are checked."""
    (tmp_path / "workload.yaml").write_text(WORKLOAD)
    os.mkfifo(tmp_path / "b.workload.yaml")
    os.symlink("nowhere", tmp_path / "c.workload.yaml")
    done = run_advisor("check", ".", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "ERROR     b.workload.yaml: is a FIFO, not a regular file; not read",
        "ERROR     c.workload.yaml: a broken symbolic link; not read",
        "PASS      workload.yaml:2: w: declares docker, as advised",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["decide", "fifo.yaml"],
        ["decide", "w.yaml", "--rules", "fifo.yaml"],
        ["decide", "w.yaml", "--template", "fifo.yaml"],
        ["check", "w.yaml", "--policy", "fifo.yaml"],
        ["ask", "--from", "fifo.yaml", "--output", "new.yaml"],
    ],
    ids=["workload", "pack", "template", "policy", "ask-from"],
)
def test_a_fifo_named_as_input_is_refused_at_once(tmp_path, args):
    """A FIFO given as a workload, pack, template, policy or starting point exits 2 at once, naming it."""
    (tmp_path / "w.yaml").write_text(WORKLOAD)
    os.mkfifo(tmp_path / "fifo.yaml")
    done = run_advisor(*args, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("advisor: fifo.yaml: ")
    assert done.stderr.endswith("is a FIFO, not a regular file\n")
    assert "Traceback" not in done.stderr


def test_check_refuses_an_explicitly_named_fifo_with_exit_2(tmp_path):
    """`advisor check FIFO` reports the FIFO as an error (exit 2) without opening it."""
    os.mkfifo(tmp_path / "w.yaml")
    done = run_advisor("check", "w.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.startswith("ERROR     w.yaml: is a FIFO, not a regular file; not read\n")


def test_policy_and_adr_dir_fifos_found_upwards_are_not_read(tmp_path):
    """A FIFO named .advisor.yaml or .adr-dir is never opened, so discovery never blocks on it:
    the policy is refused by name, the ADR folder marker passed over."""
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".advisor.yaml")
    os.mkfifo(tmp_path / ".adr-dir")
    (tmp_path / "w.yaml").write_text(WORKLOAD)
    checked = run_advisor("check", "w.yaml", cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (2, "advisor: .advisor.yaml: is a FIFO, not a regular file\n")
    done = run_advisor("adr", "w.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("doc/adr/0001-")


def test_read_text_refuses_a_device():
    """The one reader of user files refuses a character device instead of reading from it."""
    with pytest.raises(InputError, match="/dev/zero: is a character device, not a regular file"):
        yamlfile.read_text("/dev/zero")


# --- 3. outputs that are not regular files ------------------------------------------------------


def test_output_to_a_fifo_is_written_into_it_not_replaced(tmp_path):
    """--output FIFO writes the report into the FIFO for its reader; the FIFO stays a FIFO."""
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    done = run_advisor("decide", str(PAYMENTS), "-o", str(fifo), "--no-color", cwd=tmp_path)
    reader.join(20)
    assert done.returncode == 0, done.stderr
    assert got and got[0].startswith("payments-api: Docker containers (docker)")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_to_a_fifo_nobody_reads_fails_at_once(runner, tmp_path):
    """--output to a FIFO with no reader exits 2 at once instead of waiting; the FIFO is left."""
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    result = runner.invoke(cli, ["decide", str(PAYMENTS), "-o", str(fifo)])
    assert result.exit_code == 2
    assert one_error_line(result) == f"advisor: {fifo}: cannot write to a FIFO: no program is reading it\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_to_a_terminal_writes_to_it(runner):
    """--output naming a terminal (a character device) writes to it; the device node stays as it was.

    A pseudo-terminal stands in for /dev/tty or /dev/null: a file cannot be created beside
    it, so even a regression could not replace a real device of the machine running the test.
    """
    master, slave = os.openpty()
    try:
        name = os.ttyname(slave)
        result = runner.invoke(cli, ["decide", str(PAYMENTS), "-o", name, "--no-color"])
        assert result.exit_code == 0, result.stderr
        assert os.read(master, 200).startswith(b"payments-api: Docker containers (docker)")
        assert stat.S_ISCHR(os.lstat(name).st_mode)
    finally:
        os.close(slave)
        os.close(master)


def test_output_to_a_socket_is_refused(runner, tmp_path):
    """--output naming a socket exits 2 with one line; the socket is left as it was."""
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = runner.invoke(cli, ["decide", str(PAYMENTS), "-o", str(path)])
    assert result.exit_code == 2
    assert one_error_line(result) == f"advisor: {path}: is a socket; advisor writes only files, FIFOs and terminals\n"
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.parametrize("redirect", ["file", "pipe"])
def test_output_to_a_link_to_standard_output_writes_to_it(tmp_path, redirect):
    """--output through a link to /proc/self/fd/1 (what /dev/stdout is) appends to standard output, a file or a
    pipe; the link stays a link. (A link of the test's own stands in for /dev/stdout, which a regression run as
    root would replace.)"""
    link = tmp_path / "stdout"
    os.symlink("/proc/self/fd/1", link)
    expected = run_advisor("decide", str(PAYMENTS), "--no-color", cwd=tmp_path).stdout
    if redirect == "file":
        out = tmp_path / "out.txt"
        with open(out, "w") as fh:
            fh.write("before\n")
            fh.flush()
            done = subprocess.run(
                [sys.executable, "-m", "advisor", "decide", str(PAYMENTS), "-o", str(link)],
                stdout=fh, stderr=subprocess.PIPE, text=True, timeout=20,
            )
        assert done.returncode == 0, done.stderr
        assert out.read_text() == "before\n" + expected
    else:
        done = run_advisor("decide", str(PAYMENTS), "-o", str(link), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == expected
    assert os.path.islink(link)
    expected_files = ["out.txt", "stdout"] if redirect == "file" else ["stdout"]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected_files


# --- 4. an output that is an input ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["same", "dotted", "hardlink", "symlink"])
def test_output_onto_the_workload_is_refused(runner, tmp_path, monkeypatch, spelling):
    """decide W -o W (also through another spelling, a hard link or a symlink) exits 2 and leaves W as it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    work = tmp_path / "w.yaml"
    work.write_text(WORKLOAD)
    output = {"same": "w.yaml", "dotted": "sub/../w.yaml", "hardlink": "hard.yaml", "symlink": "link.yaml"}[spelling]
    if spelling == "hardlink":
        os.link(work, tmp_path / "hard.yaml")
    if spelling == "symlink":
        os.symlink("w.yaml", tmp_path / "link.yaml")
    result = runner.invoke(cli, ["decide", "w.yaml", "-o", output])
    assert result.exit_code == 2
    assert one_error_line(result) == f"advisor: {output}: is also an input (w.yaml); not overwritten\n"
    assert work.read_text() == WORKLOAD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("option", ["--rules", "--template"])
def test_output_onto_the_pack_or_template_is_refused(runner, write, tmp_path, option):
    """decide -o onto its own --rules pack or --template exits 2 and leaves it as it was."""
    text = PACK if option == "--rules" else "{{ decision.workload }}\n"
    used = write("input.yaml", text)
    work = write("w.yaml", "name: w\nrequirements: {density: high}\n")
    result = runner.invoke(cli, ["decide", str(work), option, str(used), "-o", str(used)])
    assert result.exit_code == 2
    assert "is also an input" in one_error_line(result)
    assert used.read_text() == text


def test_check_output_onto_a_checked_file_is_refused(runner, tmp_path, monkeypatch):
    """check DIR -o DIR/workload.yaml exits 2 and leaves the checked workload as it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workload.yaml").write_text(WORKLOAD)
    result = runner.invoke(cli, ["check", ".", "-o", "workload.yaml"])
    assert result.exit_code == 2
    assert "workload.yaml: is also an input (workload.yaml)" in one_error_line(result)
    assert (tmp_path / "workload.yaml").read_text() == WORKLOAD


def test_ask_out_onto_the_pack_is_refused_before_any_question(runner, write):
    """ask --out onto its own --rules pack exits 2 before asking anything; the pack is unchanged."""
    pack = write("p.yaml", PACK)
    result = runner.invoke(cli, ["ask", "--rules", str(pack), "--output", str(pack), "--force"], input="w\n")
    assert result.exit_code == 2
    assert "is also an input" in one_error_line(result)
    assert result.stdout == ""
    assert pack.read_text() == PACK


# --- 5. .adr-dir stays inside the repository ---------------------------------------------------


@pytest.mark.parametrize("named", ["../elsewhere", "ABSOLUTE", "records"], ids=["parent", "absolute", "symlink"])
def test_adr_dir_outside_the_repository_is_refused(runner, tmp_path, monkeypatch, named):
    """A .adr-dir naming a folder outside the repository (by .., absolute path or a link) exits 2, writing nothing."""
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    (repo / ".git").mkdir()
    if named == "records":
        outside.mkdir()
        os.symlink(outside, repo / "records")
    (repo / ".adr-dir").write_text((str(outside) if named == "ABSOLUTE" else named) + "\n")
    monkeypatch.chdir(repo)
    result = runner.invoke(cli, ["adr", str(PAYMENTS)])
    assert result.exit_code == 2
    line = one_error_line(result)
    assert f"names {outside}, outside the repository {repo}; give --dir to write records there" in line
    assert not outside.exists() or list(outside.iterdir()) == []


def test_a_doc_adr_link_outside_the_repository_is_refused(runner, tmp_path, monkeypatch):
    """A doc/adr folder that is a link out of the repository is refused like a .adr-dir naming it."""
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (repo / ".git").mkdir(parents=True)
    (repo / "doc").mkdir()
    outside.mkdir()
    os.symlink(outside, repo / "doc" / "adr")
    monkeypatch.chdir(repo)
    result = runner.invoke(cli, ["adr", str(PAYMENTS)])
    assert result.exit_code == 2
    assert "outside the repository" in one_error_line(result)
    assert list(outside.iterdir()) == []


def test_explicit_dir_may_write_outside_the_repository(runner, tmp_path, monkeypatch):
    """--dir is the user's own choice: records go there even outside the repository."""
    repo, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (repo / ".git").mkdir(parents=True)
    (repo / ".adr-dir").write_text("../elsewhere\n")
    monkeypatch.chdir(repo)
    result = runner.invoke(cli, ["adr", str(PAYMENTS), "--dir", str(outside)])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in outside.iterdir()] == ["0001-run-payments-api-on-docker-containers.md"]


def test_adr_dir_inside_the_repository_still_works(runner, tmp_path, monkeypatch):
    """A .adr-dir in a subfolder naming ../docs/arch, still inside the repository, is honoured."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".adr-dir").write_text("../docs/arch\n")
    monkeypatch.chdir(tmp_path / "sub")
    result = runner.invoke(cli, ["adr", str(PAYMENTS)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "docs" / "arch").is_dir()


# --- 6. control characters in paths -------------------------------------------------------------


def test_a_line_break_in_a_folder_name_forges_no_line(runner, tmp_path, monkeypatch):
    """A folder named 'a\\n::error::x' shows as one escaped line in text output and %0A-escaped in github output."""
    folder = tmp_path / "a\n::error::x"
    folder.mkdir()
    (folder / "workload.yaml").write_text(MISMATCH)
    (tmp_path / "b\r\x1b[2J").mkdir()
    (tmp_path / "b\r\x1b[2J" / "workload.yaml").write_text("name: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    text = runner.invoke(cli, ["check", "."]).stdout
    assert text.splitlines()[0].startswith("FAIL      a\\x0a::error::x/workload.yaml:2: w: declares vm")
    assert text.splitlines()[1].startswith("ERROR     b\\x0d\\x1b[2J/workload.yaml:2: invalid YAML")
    github = runner.invoke(cli, ["check", ".", "-f", "github"]).stdout
    lines = github.splitlines()
    assert lines[0].startswith("::error file=a%0A%3A%3Aerror%3A%3Ax/workload.yaml,line=2,title=advisor check%3A fail::")
    assert lines[1].startswith("::error file=b\\x0d\\x1b[2J/workload.yaml,line=2,")
    assert not any(line.startswith("::error::x") for line in lines)
    assert "\x1b" not in text + github and "\r" not in text + github


# --- 7. template limits -------------------------------------------------------------------------

SIZE_PAYLOADS = [
    ("{{ 'a'.ljust(10**8) }}", "the result of 'ljust' would be longer than 1,000,000 characters"),
    ("{{ 'a'.rjust(10**8) }}", "the result of 'rjust'"),
    ("{{ 'a'.center(10**8) }}", "the result of 'center'"),
    ("{{ '1'.zfill(10**8) }}", "the result of 'zfill'"),
    ("{{ ('\t' * 99999).expandtabs(999) }}", "the result of 'expandtabs'"),
    ("{{ ('x' * 999999).replace('x', 'yy') }}", "the result of 'replace'"),
    ("{{ '{:>99999999}'.format(1) }}", "the result of 'format'"),
    ("{{ '{:>{w}}'.format(1, w=99999999) }}", "the result of 'format'"),
    ("{{ '{a:.99999999f}'.format_map({'a': 1.5}) }}", "the result of 'format_map'"),
    ("{{ '%099999999d' % 1 }}", "a formatted string would be longer than 1,000,000 characters"),
    ("{{ '%*d' % (99999999, 1) }}", "a formatted string"),
    ("{{ '%099999999d' | format(1) }}", "the result of 'format'"),
    ("{{ 'a' | center(10**8) }}", "the result of 'center'"),
    ("{{ ('x' * 999999) | indent(999) }}", "the result of 'indent'"),
    ("{{ 'xx' | wordwrap(1, wrapstring='y' * 999999) }}", "the result of 'wordwrap'"),
    ("{% set s = 'x' * 999999 %}{{ s | truncate(5, end=s) }}", "the result of 'truncate'"),
    ("{{ ('x' * 999999) | replace('x', 'yy') }}", "the result of 'replace'"),
    ("{% set s = 'x' * 999999 %}{{ [s, s] | join }}", "the result of 'join'"),
    ("{% set s = 'x' * 999999 %}{{ [s, s] | map('upper') | join }}", "the result of 'join'"),
    ("{% set s = 'x' * 999999 %}{{ ''.join([s, s]) }}", "the result of 'join'"),
    ("{% set s = 'x' * 999999 %}{{ [s, s] }}", "a value would be longer than 1,000,000 characters"),
    ("{% set s = 'x' * 999999 %}{{ s + s }}", "a value would be longer"),
    ("{{ [[0] * 999999] * 2 }}", "a repeated value would be longer than 1,000,000"),
    (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "a value would be longer than 1,000,000 characters",
    ),
    ("{{ lipsum(100000) }}", "the result of 'lipsum'"),
    ("{{ ('x' * 999999) | wrap(1, 'y' * 99) }}", "the result of 'wrap'"),
    ("{{ ('x\\n' * 99999) | mdblock('', 99) }}", "the result of 'mdblock'"),
]


@pytest.mark.parametrize(("payload", "message"), SIZE_PAYLOADS, ids=[p for p, _ in SIZE_PAYLOADS])
def test_a_template_cannot_build_a_huge_value(runner, write, payload, message):
    """Every string-building operation of the sandbox stops at its size limit with exit 2 and a message naming it."""
    template = write("big.md.j2", "first line\n" + payload + "\n")
    result = runner.invoke(cli, ["decide", str(PAYMENTS), "--template", str(template)])
    assert result.exit_code == 2, result.stdout[:200]
    assert result.stdout == ""
    line = one_error_line(result, f"advisor: {template}:2: not allowed in a template: ")
    assert message in line


def test_a_template_cannot_write_a_huge_output(runner, write):
    """Many values each under the limit still stop at the whole output's limit."""
    template = write("big.md.j2", "{% set s = 'x' * 999999 %}{% for i in range(100) %}{{ s }}{% endfor %}\n")
    result = runner.invoke(cli, ["decide", str(PAYMENTS), "--template", str(template)])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"advisor: {template}: not allowed in a template: the output would be longer than 10,000,000 characters\n"
    )


def test_running_out_of_memory_names_the_limits(runner, write, monkeypatch):
    """A template that exhausts memory anyway gets a message naming the limits, not a bare 'template failed:'."""
    from advisor.formats import sandbox

    def exhausted(value):
        raise MemoryError

    monkeypatch.setattr(sandbox, "sized", exhausted)
    template = write("t.md.j2", "{{ decision.workload }}\n")
    result = runner.invoke(cli, ["decide", str(PAYMENTS), "--template", str(template)])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"advisor: {template}:1: the template ran out of memory "
        "(a value may hold 1,000,000 characters and the output 10,000,000)\n"
    )


def test_ordinary_widths_and_joins_still_work(runner, write):
    """Widths, formats, joins and wrapping of ordinary size render as Jinja renders them."""
    template = write(
        "ok.txt.j2",
        "[{{ 'ab' | center(6) }}][{{ '%5s' | format('x') }}][{{ '{:>4}'.format(7) }}][{{ '%03d' % 7 }}]"
        "[{{ ['a', 'b'] | join(',') }}][{{ range(3) | map('string') | join('-') }}][{{ 'x'.ljust(3) }}]"
        "[{{ 'a b c' | wordwrap(2) | replace('\\n', '/') }}]\n",
    )
    result = runner.invoke(cli, ["decide", str(PAYMENTS), "--template", str(template)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "[  ab  ][    x][   7][007][a,b][0-1-2][x  ][a/b/c]\n"


def test_a_user_html_j2_template_is_autoescaped(runner, write):
    """A user's template named *.html.j2 (the shipped naming) is autoescaped like the shipped HTML report."""
    workload = write("w.yaml", "name: '<b>x</b> & y'\nrequirements: {architecture: microservices}\n")
    template = write("mine.html.j2", "<p>{{ decision.workload }}</p>\n")
    result = runner.invoke(cli, ["decide", str(workload), "--template", str(template)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>\n"


def test_write_atomic_refuses_nothing_it_can_write(tmp_path):
    """write_atomic still replaces a regular file whole, keeping no temporary file."""
    target = tmp_path / "a.txt"
    target.write_text("old")
    files.write_atomic(target, "new ünïcode\n")
    assert target.read_text(encoding="utf-8") == "new ünïcode\n"
    assert leftovers(tmp_path) == []
    with pytest.raises(OutputError, match="lone surrogate"):
        files.write_atomic(target, "\ud800")
    assert target.read_text(encoding="utf-8") == "new ünïcode\n"


PACK = """\
pack: tiny
title: T
claims: {C1: {section: s, quote: q, text: t}}
options:
  a: {title: Option A, summary: first}
  b: {title: Option B, summary: second}
rules:
  - {id: fa, dimension: resources, when: {density: high}, effects: {a: 2}, because: fa, sources: [C1]}
"""
