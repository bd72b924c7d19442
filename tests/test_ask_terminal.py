"""`advisor ask` in a real pseudo-terminal: arrow keys, Enter, ? for help, skip, Ctrl-C."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from advisor.workload import USUAL_ANSWERS, Requirements, Workload, field_specs, load_workload

from .conftest import EXAMPLES, ROOT

pexpect = pytest.importorskip("pexpect", reason="pexpect (the test extra) drives the pseudo-terminal")

SPECS = field_specs()
TOTAL = len(SPECS) + 1  # the requirements, then the declared platform
DOWN, UP, LEFT, ENTER, CTRL_C = "\x1b[B", "\x1b[A", "\x1b[D", "\r", "\x03"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
TIMEOUT = 30


def spawn(tmp_path: Path, *args: str):
    """`python -m advisor ask ARGS` in a 100x40 pseudo-terminal, started in tmp_path."""
    env = dict(os.environ, TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="40")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("NO_COLOR", None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "advisor", "ask", *args],
        cwd=str(tmp_path),
        env=env,
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=TIMEOUT,
    )


def question(child, position: int, title: str | None = None) -> None:
    """Wait until the menu of the field at ``position`` (1-based) is on the screen."""
    title = title or SPECS[position - 1].title
    # The counter and the title are separate styled fragments; escape codes may sit between them.
    child.expect(rf"(?<!\d){position}/{TOTAL}(\x1b\[[0-9;]*m)*\s+(\x1b\[[0-9;]*m)*{re.escape(title)}")


def finish(child) -> int:
    """Decline an ADR if one is offered, wait for the process to end, and return its exit code."""
    if child.expect([re.escape("Decision Record for it"), pexpect.EOF]) == 0:
        child.send("n")
        child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_arrows_numbers_enter_help_and_skip(tmp_path):
    """Arrow keys and number keys choose, ? shows the help and keeps the pointer, 0 skips; declared is asked."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name")
    child.send("term-demo" + ENTER)
    expected = {}
    for position, spec in enumerate(SPECS, 1):
        question(child, position)
        values = list(spec.choices)
        if position == 1:
            # With no usual answer the pointer starts on "skip"; down wraps round to the first choice;
            # ? then shows help and asks again there.
            child.send(DOWN)
            child.send("?")
            child.expect(re.escape(spec.help))
            question(child, position)
            child.send(DOWN + ENTER)
            expected[spec.name] = values[1]
        elif position % 3 == 0:
            child.send("0" + ENTER)  # 0 is skip, as in the piped mode
        else:
            child.send(str(len(values)) + ENTER)  # the last choice's number
            expected[spec.name] = values[-1]
    question(child, TOTAL, "Declared platform")
    child.send("2" + ENTER)
    child.expect("Scores")
    child.expect("Saved w.yaml")
    assert finish(child) == 0
    saved = load_workload(tmp_path / "w.yaml")
    assert saved == Workload(name="term-demo", declared="vm", requirements=Requirements(**expected))


def test_question_mark_at_the_name_shows_help(tmp_path):
    """A lone ? at the name prompt shows the help and asks again, rather than naming the workload '?'."""
    child = spawn(tmp_path, "--output", "w.yaml", "--force")
    child.expect("Name")
    child.send("?" + ENTER)
    child.expect(re.escape(Workload.__dataclass_fields__["name"].metadata["description"]))
    child.expect("Name")
    child.send("named" + ENTER)
    answer_all(child, ENTER)
    assert finish(child) == 0
    assert load_workload(tmp_path / "w.yaml").name == "named"


def test_left_arrow_goes_back_to_the_previous_question(tmp_path):
    """The left arrow asks the question before again, its pointer on the answer given; a new answer replaces it."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name")
    child.send("back-demo" + ENTER)
    question(child, 1)
    child.send("1" + ENTER)  # monolith
    question(child, 2)
    child.send(LEFT)
    question(child, 1)
    child.send(ENTER)  # the pointer is on monolith, the answer given
    question(child, 2)
    child.send(LEFT)
    question(child, 1)
    child.send("2" + ENTER)  # microservices instead
    answer_all(child, ENTER, first=2)
    assert finish(child) == 0
    assert load_workload(tmp_path / "w.yaml").requirements.architecture == "microservices"


def test_pointer_starts_on_the_usual_answer_and_the_verdict_comes_last(tmp_path):
    """Enter everywhere keeps the usual answers (no own kernel, standard isolation...); the verdict comes last."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name")
    child.send("usual" + ENTER)
    answer_all(child, ENTER)
    child.expect("Decision Record for it")
    child.send("n")
    child.expect(pexpect.EOF)
    last = [line for line in ANSI.sub("", child.before).splitlines() if line.strip()][-1]
    child.close()
    assert child.exitstatus == 0
    saved = load_workload(tmp_path / "w.yaml")
    assert saved.requirements.stated() == USUAL_ANSWERS and saved.declared is None
    decided = CliRunner().invoke(cli, ["decide", str(tmp_path / "w.yaml"), "--no-color"])
    assert last.strip() == decided.stdout.split("\n", 1)[0]


def answer_all(child, key: str, first: int = 1) -> None:
    """Answer every question from ``first`` on, the declared platform included, with ``key``."""
    for position in range(first, len(SPECS) + 1):
        question(child, position)
        child.send(key)
    question(child, TOTAL, "Declared platform")
    child.send(key)


def test_from_file_pointer_starts_on_the_current_answer(tmp_path):
    """With --from, Enter on every menu keeps every answer, and an existing file needs a yes."""
    source = (EXAMPLES / "tenant-sandbox.yaml").read_text(encoding="utf-8")
    (tmp_path / "w.yaml").write_text(source, encoding="utf-8")
    child = spawn(tmp_path, "--from", "w.yaml", "--output", "w.yaml")
    child.expect("Name")
    child.send(ENTER)
    answer_all(child, ENTER)
    child.expect("Overwrite it?")
    child.send("y")
    child.expect("Saved w.yaml")
    assert finish(child) == 0
    assert load_workload(tmp_path / "w.yaml") == load_workload(EXAMPLES / "tenant-sandbox.yaml")


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    """Ctrl-C in the middle of the menus exits 130 and leaves no file."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name")
    child.send("gone" + ENTER)
    question(child, 1)
    child.send(DOWN + ENTER)
    question(child, 2)
    child.send(CTRL_C)
    child.expect("interrupted")
    assert finish(child) == 130
    assert not (tmp_path / "w.yaml").exists()
