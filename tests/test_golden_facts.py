"""The key facts of golden files hold for real decisions: scores are sums of the fired rules'
points, verdicts follow from the scores and the margin, and the exit code from the verdicts."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from advisor.decision import decide
from advisor.rulepack import load_pack
from advisor.workload import Requirements, Workload

from .conftest import GOLDEN, ROOT, assert_golden
from .oracle import written_fired, written_rules
from .test_check_three import FLEET

THREE = ROOT / "tests" / "packs" / "three-options.yaml"


def _written_effects(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {rule["id"]: rule["effects"] for rule in data["rules"]}


def test_the_three_option_check_golden_holds_for_real_decisions():
    """Each workload of the three-option fleet: the golden's scores are the sum of the points of the rules
    whose written `when` holds, its recommendation the real decision's, its verdict what loss and margin say,
    and its counts give exit 1 (two fail)."""
    golden = json.loads((GOLDEN / "check-three.json").read_text(encoding="utf-8"))
    effects, rules, pack = _written_effects(THREE), written_rules(THREE), load_pack(THREE)
    margin = golden["policy"]["margin"]
    assert margin == 3  # the default policy
    by_path = {r["path"]: r for r in golden["results"]}
    assert sorted(by_path) == sorted(FLEET)
    for path, text in FLEET.items():
        data = yaml.safe_load(text)
        stated = data["requirements"]
        fired = written_fired(rules, stated)
        sums = dict.fromkeys(pack.options, 0)
        vetoed = set()
        for rule_id in fired:
            for option, effect in effects[rule_id].items():
                if effect == "veto":
                    vetoed.add(option)
                else:
                    sums[option] += effect
        result = by_path[path]
        assert result["scores"] == sums, path
        real = decide(Workload(name=data["name"], requirements=Requirements(**stated)), pack)
        assert real.scores == sums and real.recommendation == result["recommendation"], path
        declared = data["declared"]
        top = max(s for o, s in sums.items() if o not in vetoed)
        if declared in vetoed:
            expected = "fail"
        else:
            loss = top - sums[declared]
            expected = "pass" if loss <= 0 else "warn" if loss <= margin else "fail"
            assert result["loss"] == loss, path
        assert result["verdict"] == expected, path
    counts = golden["counts"]
    assert (counts["fail"], counts["pass"]) == (2, 1)  # so the check exits 1, as its test asserts


def test_the_ledger_adr_golden_announces_what_the_check_of_its_decision_gives():
    """The ledger ADR golden says docker trails vm by 2 within the margin of 3 and the check only warns,
    and the real decision of that workload with that pack has vm 2 points ahead of docker."""
    from .test_adr import LEDGER, PACK

    text = (GOLDEN / "adr-madr.md").read_text(encoding="utf-8")
    found = re.search(r"declares `(\w+)`, which trails `(\w+)` by (\d+), within the policy's margin of (\d+)", text)
    assert found, "the golden no longer announces a warning"
    declared, chosen, loss, margin = found.group(1), found.group(2), int(found.group(3)), int(found.group(4))
    pack_data, ledger = yaml.safe_load(PACK), yaml.safe_load(LEDGER)
    assert ledger["declared"] == declared
    effects = {r["id"]: r["effects"] for r in pack_data["rules"]}
    rules = tuple((r["id"], r["when"]) for r in pack_data["rules"])
    sums: dict[str, int] = {}
    for rule_id in written_fired(rules, ledger["requirements"]):
        for option, effect in effects[rule_id].items():
            sums[option] = sums.get(option, 0) + (effect if isinstance(effect, int) else 0)
    assert sums[chosen] - sums[declared] == loss and 0 < loss <= margin == 3


def test_updating_goldens_is_refused_under_ci(tmp_path, monkeypatch):
    """With CI set, ADVISOR_UPDATE_GOLDEN=1 fails the test and leaves the golden file as it was."""
    (tmp_path / "g.txt").write_text("old", encoding="utf-8")
    monkeypatch.setenv("ADVISOR_UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="refused when CI is set"):
        assert_golden("g.txt", "new", tmp_path)
    assert (tmp_path / "g.txt").read_text(encoding="utf-8") == "old"


def test_an_update_that_changes_a_golden_fails_until_reviewed(tmp_path, monkeypatch):
    """Updating rewrites a changed golden and fails naming it (no silent self-comparison); an unchanged one passes,
    and without the update a difference fails."""
    (tmp_path / "g.txt").write_text("old", encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ADVISOR_UPDATE_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match=r"g\.txt rewritten"):
        assert_golden("g.txt", "new", tmp_path)
    assert (tmp_path / "g.txt").read_text(encoding="utf-8") == "new"
    assert_golden("g.txt", "new", tmp_path)
    monkeypatch.delenv("ADVISOR_UPDATE_GOLDEN")
    with pytest.raises(AssertionError):
        assert_golden("g.txt", "newer", tmp_path)
