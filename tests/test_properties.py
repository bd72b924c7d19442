"""Properties that hold for every valid workload."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import cli
from advisor.decision import decide as evaluate
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values, load_workload

from . import oracle

workloads = st.builds(
    Workload,
    name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s),
    requirements=st.fixed_dictionaries(
        {}, optional={f: st.sampled_from(allowed_values(f)) for f in REQUIREMENT_FIELDS}
    ).map(lambda d: Requirements(**d)),
)


@settings(max_examples=300, deadline=None)
@given(workload=workloads)
def test_every_valid_workload_gets_a_consistent_decision(pack, workload):
    """Any valid workload is decided, and the decision agrees with its own scores and vetoes."""
    decision = evaluate(workload, pack)
    allowed = {o: s for o, s in decision.scores.items() if o not in decision.vetoes}
    if decision.recommendation is not None:
        assert decision.recommendation in allowed
        assert allowed[decision.recommendation] == max(allowed.values())
        others = [s for o, s in allowed.items() if o != decision.recommendation]
        assert decision.margin == (allowed[decision.recommendation] - max(others) if others else None)
    else:
        assert decision.status in ("tie", "all_vetoed", "no_rules_fired")
    assert sorted(decision.unspecified + list(decision.requirements)) == sorted(REQUIREMENT_FIELDS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workload=workloads)
def test_the_cli_prints_the_decision_of_the_rules_that_hold(pack, workload, tmp_path_factory):
    """The JSON `decide` prints for a workload file is the decision of exactly the rules whose `when` holds."""
    import json

    import yaml
    from click.testing import CliRunner

    from advisor.decision import build_decision
    from advisor.records import to_data

    folder = tmp_path_factory.mktemp("w")
    path = folder / "w.yaml"
    data = {"name": workload.name, "requirements": workload.requirements.stated()}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decide", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    read = load_workload(path, pack.options)  # as the file reads back (YAML folds some characters)
    stated = read.requirements.stated()
    assert stated == workload.requirements.stated()
    holding = list(oracle.fired(pack, stated))  # the pack file's own `when`, read without the compiler
    expected = to_data(build_decision(read, pack, holding))
    for found_by_deciding_again in ("counterfactuals", "what_ifs"):
        printed.pop(found_by_deciding_again)
        expected.pop(found_by_deciding_again)
    assert printed == expected
