"""What-ifs, stability and ``advisor decide --what-if``, each checked against decisions made
again independently (the plain-Python oracle of the rules, not the engine)."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import combinations

import pytest

from advisor import scoring
from advisor.cli import cli
from advisor.decision import decide
from advisor.rulepack import load_rules
from advisor.stability import CHANGES
from advisor.whatif import moves
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values, load_workload

from . import oracle
from .conftest import EXAMPLES, ROOT

THREE = ROOT / "tests" / "packs" / "three-options.yaml"
UNSTABLE = ROOT / "tests" / "packs" / "unstable.yaml"
LADDER = ROOT / "rules" / "isolation-ladder.yaml"


def outcome(pack, stated):
    """The outcome of deciding these requirements again, by the oracle."""
    where = scoring.standing(pack, oracle.fired(pack, stated))
    return where.status, where.recommendation, list(where.best) if where.status == "tie" else []


def applied(stated, changes):
    changed = dict(stated)
    for field, value in changes:
        if value is None:
            changed.pop(field)
        else:
            changed[field] = value
    return changed


def cases():
    default, ladder, three = load_rules(), load_rules(str(LADDER)), load_rules(str(THREE))
    for path in sorted(EXAMPLES.glob("*.y*ml")) + sorted(EXAMPLES.glob("*.json")):
        yield default, path
        yield three, path
    for path in sorted((EXAMPLES / "ladder").glob("*.yaml")):
        yield ladder, path


@pytest.mark.parametrize(("pack", "path"), list(cases()), ids=lambda x: getattr(x, "name", None) or "")
def test_what_ifs_are_exactly_the_smallest_changes_that_change_the_outcome(pack, path):
    """Every single change that changes the outcome is listed with the outcome it gives; when
    none does, every pair that does; nothing else."""
    workload = replace(load_workload(path), declared=None)
    decision = decide(workload, pack)
    stated = workload.requirements.stated()
    before = outcome(pack, stated)
    singles = moves(stated)
    order = {f: i for i, f in enumerate(REQUIREMENT_FIELDS)}
    flips = [(m,) for m in singles if outcome(pack, applied(stated, [m])) != before]
    if not flips:
        # Pairs in model order of the two fields, then of their values.
        flips = sorted(
            (
                (a, b)
                for a, b in combinations(singles, 2)
                if a[0] != b[0] and outcome(pack, applied(stated, [a, b])) != before
            ),
            key=lambda pair: (order[pair[0][0]], order[pair[1][0]]),
        )
    assert [tuple((c.field, c.value) for c in w.changes) for w in decision.what_ifs] == flips
    for w in decision.what_ifs:
        assert [c.was for c in w.changes] == [stated.get(c.field) for c in w.changes]
        again = outcome(pack, applied(stated, [(c.field, c.value) for c in w.changes]))
        assert (w.status, w.recommendation, w.tied) == again


def test_moves_are_every_other_value_and_unstated_for_a_stated_field():
    """A stated field may take each of its other values or be left unstated; an unstated one, each value."""
    found = moves({"isolation": "high", "full_os": True})
    assert [v for f, v in found if f == "isolation"] == ["standard", "strict", None]
    assert [v for f, v in found if f == "full_os"] == [False, None]
    assert [v for f, v in found if f == "scaling"] == list(allowed_values("scaling"))
    assert {f for f, _ in found} == set(REQUIREMENT_FIELDS)


TWO_VETOES = """\
pack: two-vetoes
version: "1"
title: Two vetoes
dimensions:
  main: {title: Main, order: 1}
claims:
  C1: {section: "1", quote: "q", text: "t"}
options:
  a: {title: A, summary: First.}
  b: {title: B, summary: Second.}
rules:
  - {id: untrusted, dimension: main, when: {untrusted_code: true}, effects: {a: veto}, because: B., sources: [C1]}
  - {id: kernel, dimension: main, when: {custom_kernel: true}, effects: {a: veto}, because: B., sources: [C1]}
  - {id: services, dimension: main, when: {architecture: microservices}, effects: {a: 5}, because: B., sources: [C1]}
  - {id: app, dimension: main, when: {full_os: false}, effects: {b: 1}, because: B., sources: [C1]}
"""


def test_when_no_single_change_moves_it_the_what_ifs_are_pairs(write):
    """With an option vetoed by two rules no single change frees it; the what-ifs are pairs lifting both vetoes."""
    pack = load_rules(str(write("two-vetoes.yaml", TWO_VETOES)))
    stated = {"untrusted_code": True, "custom_kernel": True, "architecture": "microservices", "full_os": False}
    decision = decide(Workload(name="w", requirements=Requirements(**stated)), pack)
    assert decision.recommendation == "b" and decision.what_ifs
    for w in decision.what_ifs:
        assert {c.field for c in w.changes} == {"untrusted_code", "custom_kernel"}, w
        assert (w.status, w.recommendation) == ("recommended", "a")
        assert outcome(pack, applied(stated, [(c.field, c.value) for c in w.changes])) == ("recommended", "a", [])


def test_three_options_what_ifs_name_the_new_winner_or_the_tied_options():
    """On a tie of docker and vm (wasm vetoed), stating microservices gives docker, and
    leaving untrusted_code unstated lifts the veto so wasm wins."""
    three = load_rules(str(THREE))
    stated = {"untrusted_code": False, "startup": "seconds"}
    decision = decide(Workload(name="w", requirements=Requirements(**stated)), three)
    assert (decision.status, decision.tied) == ("tie", ["docker", "vm"])
    by_change = {tuple((c.field, c.value) for c in w.changes): w for w in decision.what_ifs}
    assert by_change[(("architecture", "microservices"),)].recommendation == "docker"
    assert by_change[(("untrusted_code", None),)].recommendation == "wasm"
    assert by_change[(("untrusted_code", True),)].recommendation == "wasm"


def test_counterfactuals_are_the_what_ifs_that_state_an_unstated_field():
    """The counterfactuals keep their meaning: one unstated field given a value, nothing else."""
    decision = decide(load_workload(EXAMPLES / "payments-api.yaml"), load_rules())
    assert [(c.field, c.value) for c in decision.counterfactuals] == [
        (w.changes[0].field, w.changes[0].value)
        for w in decision.what_ifs
        if len(w.changes) == 1 and w.changes[0].was is None
    ]
    assert decision.counterfactuals and any(w.changes[0].was is not None for w in decision.what_ifs)


def test_weight_changes_round_half_away_from_zero_and_keep_the_sign():
    """+1 and -1 move a weight away from or towards zero; ±25% rounds half away from zero."""
    assert [CHANGES["+1"](n) for n in (2, -2)] == [3, -3]
    assert [CHANGES["-1"](n) for n in (1, -2)] == [0, -1]
    assert [CHANGES["+25%"](n) for n in (10, -10, 1, 2)] == [13, -13, 1, 3]
    assert [CHANGES["-25%"](n) for n in (10, -10, 1, 2)] == [8, -8, 1, 2]


def unstable(**stated):
    return decide(Workload(name="w", requirements=Requirements(**stated)), load_rules(str(UNSTABLE)))


def test_a_one_point_lead_is_reversed_by_a_one_point_change():
    """docker 4 against vm 3: either rule one point weaker or stronger (or by a quarter) ties them."""
    decision = unstable(architecture="microservices", os_testing=True)
    assert decision.recommendation == "docker" and decision.margin == 1
    flips = {(f.rule, f.change): (f.status, f.tied) for f in decision.stability.flips}
    assert decision.stability.stable is False
    assert flips == {
        ("microservices", "-1"): ("tie", ["docker", "vm"]),
        ("microservices", "-25%"): ("tie", ["docker", "vm"]),
        ("os-testing", "+1"): ("tie", ["docker", "vm"]),
        ("os-testing", "+25%"): ("tie", ["docker", "vm"]),
    }


def test_a_lead_only_a_quarter_reverses_survives_one_point():
    """docker 10 against vm 8 survives ±1 on either rule, not a quarter off docker's or onto vm's."""
    decision = unstable(density="high", scaling="elastic")
    assert [(f.rule, f.change) for f in decision.stability.flips] == [("dense", "-25%"), ("elastic", "+25%")]


def test_a_wide_lead_is_stable_and_a_tie_has_no_stability():
    """payments-api leads by 14 and is stable; a tie has no recommendation to keep."""
    assert decide(load_workload(EXAMPLES / "payments-api.yaml"), load_rules()).stability.stable is True
    tied = Requirements(untrusted_code=False, startup="seconds")
    tie = decide(Workload(name="w", requirements=tied), load_rules(str(THREE)))
    assert tie.status == "tie" and tie.stability is None


def test_stability_is_shown_beside_the_margin_in_every_view(runner, tmp_path):
    """The text, Markdown and HTML views say which rule's weight change would reverse the advice."""
    path = tmp_path / "w.yaml"
    path.write_text("name: w\nrequirements: {architecture: microservices, os_testing: true}\n")
    for fmt in ("text", "md", "html"):
        result = runner.invoke(cli, ["decide", str(path), "--rules", str(UNSTABLE), "-f", fmt, "--no-color"])
        assert result.exit_code == 0, result.output
        shown = " ".join(result.stdout.split())
        for mark in ("`", "<code>", "</code>"):
            shown = shown.replace(mark, "")
        assert "unstable: microservices at -1 would give a tie" in shown


def test_what_if_shows_both_decisions_and_what_changed(runner):
    """--what-if isolation=strict: the scores, the new veto and the rules that start and stop
    applying, each as the two independent decisions have them."""
    path = str(EXAMPLES / "payments-api.yaml")
    result = runner.invoke(cli, ["decide", path, "--what-if", "isolation=strict", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pack = load_rules()
    stated = load_workload(path).requirements.stated()
    before, after = oracle.fired(pack, stated), oracle.fired(pack, {**stated, "isolation": "strict"})
    assert data["changes"] == [{"field": "isolation", "value": "strict", "was": stated["isolation"]}]
    assert data["rules_fired"] == [r for r in after if r not in before]
    assert data["rules_stopped"] == [r for r in before if r not in after]
    scores_after, vetoes_after = scoring.add_up(pack, after)
    assert {s["option"]: s["after"] for s in data["scores"]} == scores_after
    assert data["vetoes_added"] == vetoes_after and data["after"]["recommendation"] == "vm"
    assert data["before"]["recommendation"] == "docker" and data["outcome_changed"] is True
    text = runner.invoke(cli, ["decide", path, "--what-if", "isolation=strict", "--no-color"]).stdout
    assert "What if isolation: standard → strict: Recommendation: Virtual machines" in text
    assert "Docker containers is now vetoed by strict-isolation" in text


def test_what_if_unstated_leaves_a_field_out(runner):
    """density=unstated decides as if the workload never stated its density."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml"), "--what-if", "density=unstated",
                                 "-f", "json"])
    data = json.loads(result.stdout)
    assert "density" not in data["after"]["requirements"] and "medium-density" in data["rules_stopped"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("isolaton=high", "advisor: --what-if: unknown field 'isolaton' (did you mean 'isolation'?); choose one of "
         + ", ".join(REQUIREMENT_FIELDS)),
        ("isolation=hgh", "advisor: --what-if: isolation: 'hgh' is not allowed; choose one of standard, high, strict"),
        ("full_os=maybe", "advisor: --what-if: full_os: expected true or false, got a string 'maybe'"),
    ],
)
def test_what_if_with_a_bad_field_or_value_exits_2_with_one_line(runner, change, message):
    """A bad --what-if names what is allowed, in one line, with exit code 2."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml"), "--what-if", change])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [message]


def test_the_decision_schema_carries_what_ifs_and_stability(runner):
    """advisor schema decision describes the new fields."""
    schema = json.loads(runner.invoke(cli, ["schema", "decision"]).stdout)
    assert {"what_ifs", "stability"} <= set(schema["properties"])
    assert {"WhatIf", "Change", "Stability", "WeightFlip"} <= set(schema["$defs"])


def test_deciding_without_counterfactuals_finds_no_what_ifs():
    """Deciding with counterfactuals off finds no what-ifs (the check's fast path)."""
    decision = decide(load_workload(EXAMPLES / "payments-api.yaml"), load_rules(), counterfactuals=False)
    assert decision.what_ifs == [] and decision.counterfactuals == []


def test_what_if_reports_put_the_differences_first(runner):
    """In Markdown the differences come before both reports; in HTML they open the changed report's one page."""
    path = str(EXAMPLES / "payments-api.yaml")
    md = runner.invoke(cli, ["decide", path, "--what-if", "isolation=strict", "-f", "md"]).stdout
    assert md.startswith("# What if isolation: standard → strict: Recommendation: Virtual machines")
    assert md.count("## Summary") == 2 and "| Docker containers | 14 | 12 (vetoed) |" in md
    html = runner.invoke(cli, ["decide", path, "--what-if", "isolation=strict", "-f", "html"]).stdout
    assert html.count("<html") == 1 and html.index('class="what-if"') < html.index('id="summary-title"')
