"""advisor rules test: the examples and cases a pack carries, run through durable-rules."""

from __future__ import annotations

from advisor import yamlfile
from advisor.cli import cli
from advisor.errors import RulePackError
from advisor.rulepack import check_pack
from advisor.rulepack_model import validated

from .conftest import ROOT

FAILING = "tests/packs/failing-tests.yaml"

PASSING_LOW_COVERAGE = """\
pack: low-coverage
claims:
  C1: {section: "1", quote: "q", text: "t"}
options:
  docker: {title: Docker, summary: s}
  vm: {title: VM, summary: s}
rules:
  - id: dense
    dimension: resources
    when: {density: high}
    effects: {docker: 3}
    because: b
    sources: [C1]
    examples:
      fires: [{density: high}]
  - id: isolated
    dimension: isolation
    when: {isolation: strict}
    effects: {vm: 3}
    because: b
    sources: [C1]
"""


def _run(runner, *args):
    return runner.invoke(cli, ["rules", "test", *args])


def test_failures_are_reported_at_their_lines(runner, monkeypatch):
    """A failing example and failing cases are printed as file:line: id: expected ..., got ... and exit 1."""
    monkeypatch.chdir(ROOT)
    result = _run(runner, FAILING)
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{FAILING}:20: dense: expected to stay quiet under {{isolation: high, density: high}}, got: it fired",
        f"{FAILING}:36: dense-and-isolated: expected vm, got a tie of docker, vm",
        f"{FAILING}:44: untrusted: expected vetoed: vm, got vetoed: docker",
    ]


def test_coverage_line_counts_rules_cases_and_options(runner, monkeypatch):
    """The coverage line counts rules made to fire, rules fired in cases and options some case recommends."""
    monkeypatch.chdir(ROOT)
    last = _run(runner, FAILING).output.splitlines()[-1]
    assert last == (
        f"{FAILING}: 4 examples, 3 cases, 3 failed; coverage: rules exercised 3/3 (100%), "
        "fired in some case 3/3 (100%), options recommended by some case 2/2 (docker 1, vm 1)"
    )


def test_coverage_min_fails_a_passing_pack_below_it(runner, tmp_path):
    """A pack whose tests pass exits 1 when fewer rules are exercised than --coverage-min asks, 0 otherwise."""
    path = tmp_path / "low.yaml"
    path.write_text(PASSING_LOW_COVERAGE)
    assert _run(runner, str(path), "--coverage-min", "50").exit_code == 0
    result = _run(runner, str(path), "--coverage-min", "51")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"{path}: rules exercised 50% is below --coverage-min 51.0%"


def test_shipped_packs_pass_with_every_rule_exercised(runner):
    """Every example and case of the shipped packs passes, and every one of their rules is made to fire."""
    result = _run(runner, "--coverage-min", "100")
    assert result.exit_code == 0, result.output
    assert result.output.count("rules exercised") == 2


def test_every_rule_of_the_shipped_packs_has_examples():
    """Each rule of the shipped packs carries an example it fires under and one it stays quiet under."""
    for name in ("docker-vs-vm", "isolation-ladder"):
        pack, problems = validated(yamlfile.load(ROOT / "rules" / f"{name}.yaml", RulePackError), None)
        assert problems == [] and pack is not None
        assert [r.id for r in pack.rules if not (r.examples and r.examples.fires and r.examples.quiet)] == []
        assert pack.cases


def test_a_missing_pack_is_bad_input(runner, tmp_path):
    """A pack that cannot be read exits 2."""
    assert _run(runner, str(tmp_path / "none.yaml")).exit_code == 2


def test_unknown_fields_and_options_in_tests_are_located(tmp_path):
    """An unknown field in an example, or an unknown option in a case, is a file:line: path: what problem."""
    text = PASSING_LOW_COVERAGE.replace("fires: [{density: high}]", "fires: [{densty: high}]")
    text += "cases:\n  - name: c1\n    requirements: {density: high}\n    recommends: kvm\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    _, problems = check_pack(path)
    assert [str(p) for p in problems] == [
        f"{path}:15: dense.examples.fires[0]: unknown key 'densty' (did you mean 'density'?)",
        f"{path}:25: c1: unknown option 'kvm' (did you mean 'vm'?)",
    ]


def test_a_case_expects_one_outcome(tmp_path):
    """A case with both 'recommends' and 'tie', or a one-option tie, is refused."""
    for expect in ("recommends: vm\n    tie: [docker, vm]", "tie: [vm]"):
        path = tmp_path / "bad.yaml"
        path.write_text(PASSING_LOW_COVERAGE + f"cases:\n  - name: c1\n    {expect}\n")
        _, problems = check_pack(path)
        assert len(problems) == 1 and problems[0].field == "c1", problems


def test_an_unknown_pack_name_is_bad_input(runner):
    """A bare name that is no shipped pack exits 2 with one line naming the shipped packs."""
    result = _run(runner, "nope")
    assert result.exit_code == 2
    assert result.stderr.startswith("advisor: no rule pack named 'nope'; the shipped packs are docker-vs-vm")
