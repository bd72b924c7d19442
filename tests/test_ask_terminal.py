"""`advisor ask` in a real pseudo-terminal: arrow keys, Enter, ? for help, skip, Ctrl-C."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from advisor.workload import Requirements, Workload, field_specs, load_workload

from .conftest import EXAMPLES, ROOT

pexpect = pytest.importorskip("pexpect", reason="pexpect (the test extra) drives the pseudo-terminal")

SPECS = field_specs()
DOWN, UP, ENTER, CTRL_C = "\x1b[B", "\x1b[A", "\r", "\x03"
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


def question(child, position: int) -> None:
    """Wait until the menu of the field at ``position`` (1-based) is on the screen."""
    spec = SPECS[position - 1]
    # The counter and the title are separate styled fragments; escape codes may sit between them.
    child.expect(rf"(?<!\d){position}/{len(SPECS)}(\x1b\[[0-9;]*m)*\s+(\x1b\[[0-9;]*m)*{re.escape(spec.title)}")


def finish(child) -> int:
    """Decline an ADR if one is offered, wait for the process to end, and return its exit code."""
    if child.expect([re.escape("Decision Record for it"), pexpect.EOF]) == 0:
        child.send("n")
        child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def test_arrows_enter_help_and_skip(tmp_path):
    """Arrow keys choose, ? shows the help and keeps the pointer, skip leaves a field out; the file is saved."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name:")
    child.send("term-demo" + ENTER)
    expected = {}
    for position, spec in enumerate(SPECS, 1):
        question(child, position)
        values = list(spec.choices)
        if position == 1:
            # Down from "skip" wraps round to the first choice; ? then shows help and asks again there.
            child.send(DOWN)
            child.send("?")
            child.expect(re.escape(spec.help))
            question(child, position)
            child.send(DOWN + ENTER)
            expected[spec.name] = values[1]
        elif position % 3 == 0:
            child.send(ENTER)  # the pointer starts on "skip / don't know"
        else:
            child.send(UP + ENTER)  # from "skip", up is the last choice
            expected[spec.name] = values[-1]
    child.expect("Scores")
    child.expect("Saved w.yaml")
    assert finish(child) == 0
    saved = load_workload(tmp_path / "w.yaml")
    assert saved == Workload(name="term-demo", requirements=Requirements(**expected))


def test_from_file_pointer_starts_on_the_current_answer(tmp_path):
    """With --from, Enter on every menu keeps every answer, and an existing file needs a yes."""
    source = (EXAMPLES / "tenant-sandbox.yaml").read_text(encoding="utf-8")
    (tmp_path / "w.yaml").write_text(source, encoding="utf-8")
    child = spawn(tmp_path, "--from", "w.yaml", "--output", "w.yaml")
    child.expect("Name:")
    child.send(ENTER)
    for position in range(1, len(SPECS) + 1):
        question(child, position)
        child.send(ENTER)
    child.expect("Overwrite it?")
    child.send("y")
    child.expect("Saved w.yaml")
    assert finish(child) == 0
    assert load_workload(tmp_path / "w.yaml") == load_workload(EXAMPLES / "tenant-sandbox.yaml")


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    """Ctrl-C in the middle of the menus exits 130 and leaves no file."""
    child = spawn(tmp_path, "--output", "w.yaml")
    child.expect("Name:")
    child.send("gone" + ENTER)
    question(child, 1)
    child.send(DOWN + ENTER)
    question(child, 2)
    child.send(CTRL_C)
    child.expect("interrupted")
    assert finish(child) == 130
    assert not (tmp_path / "w.yaml").exists()
