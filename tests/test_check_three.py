"""advisor check with a pack of three options: every format, from a real check of a small fleet."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from advisor.formats import names

from .conftest import ROOT, assert_golden

THREE = str(ROOT / "tests" / "packs" / "three-options.yaml")
FLEET = {
    # docker leads vm by 10: declaring vm fails.
    "ledger/workload.yaml": "name: ledger\ndeclared: vm\nrequirements: {architecture: microservices, "
    "untrusted_code: false, startup: seconds, density: high, os_testing: true}\n",
    # docker and vm tie, wasm vetoed: declaring docker passes, declaring wasm fails as vetoed.
    "tied/workload.yaml": "name: tied\ndeclared: docker\nrequirements: {untrusted_code: false, startup: seconds}\n",
    "plugins/workload.yaml": "name: plugins\ndeclared: wasm\nrequirements: {untrusted_code: false}\n",
}


@pytest.mark.parametrize("fmt", [f for f in names("check") if f != "html"] + ["html"])
def test_a_three_option_fleet_matches_its_golden_file_in_every_format(tmp_path, monkeypatch, fmt):
    """A tie of two out of three, a veto of the third and a mismatch read exactly as their golden files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709640000")
    for name, text in FLEET.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", ".", "--rules", THREE, "-f", fmt])
    assert result.exit_code == 1, result.output  # ledger and plugins fail
    assert_golden(f"check-three.{fmt}", result.stdout)
