"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.rulepack import RulePack, load_pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, text: str, golden_folder: Path = GOLDEN) -> None:
    """Compare text with tests/golden/NAME (ADVISOR_UPDATE_GOLDEN=1 rewrites a changed one and fails; not in CI)."""
    path = golden_folder / name
    if os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1":
        # In CI a golden file is only ever compared: rewriting it there would make the test pass by definition.
        assert not os.environ.get("CI"), "ADVISOR_UPDATE_GOLDEN is refused when CI is set"
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.write_text(text, encoding="utf-8")
            # Never a silent pass of a file compared with itself: the rewrite fails until it is reviewed.
            pytest.fail(f"{path} rewritten; review its diff, then run again without ADVISOR_UPDATE_GOLDEN")
    assert path.exists(), f"{path} is missing; run with ADVISOR_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def pack() -> RulePack:
    """The default rule pack, loaded once."""
    return load_pack()


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stderr apart from stdout."""
    return CliRunner()


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write
