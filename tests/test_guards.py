"""User-facing guards: the decision schema, packs merged with a clash or too many rules, the compiled-pack
cache, durable-rules failing mid-evaluation, and an ADR folder with two records of one number."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from advisor import engine
from advisor.cli import cli
from advisor.errors import EngineError, RulePackError
from advisor.packrecords import MAX_RULES
from advisor.rulepack import load_pack, load_rules
from advisor.workload import Requirements

from .conftest import EXAMPLES, ROOT

THREE = ROOT / "tests" / "packs" / "three-options.yaml"


class _NoAliases(yaml.SafeDumper):
    """Writes shared values out each time: packs refuse YAML aliases."""

    def ignore_aliases(self, data):
        return True


def _three_variant(tmp_path, name: str, **changes) -> str:
    """A copy of the three-option pack named ``name``, with top-level entries replaced."""
    data = yaml.safe_load(THREE.read_text(encoding="utf-8"))
    data.pop("source", None)
    data.update(pack=name, **changes)
    path = tmp_path / f"{name}.yaml"
    text = yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_decision_schema_validates_what_decide_prints(runner):
    """`advisor schema decision` prints a JSON Schema that a real decision printed by `decide -f json` satisfies,
    and that refuses a decision without its recommendation field."""
    result = runner.invoke(cli, ["schema", "decision"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    decided = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml"), "-f", "json"])
    decision = json.loads(decided.stdout)
    jsonschema.validate(decision, schema)
    decision.pop("recommendation")
    with pytest.raises(jsonschema.ValidationError, match="recommendation"):
        jsonschema.validate(decision, schema)


def test_a_merged_pack_whose_rule_id_clashes_is_refused_naming_both(tmp_path):
    """Merging a pack that defines a rule id the base pack has is refused, naming the id and the base pack."""
    extra = _three_variant(tmp_path, "extra")
    with pytest.raises(RulePackError, match=r"rule id 'microservices' is already defined by .*docker-vs-vm") as info:
        load_rules(None, extra=[extra])
    assert info.value.path == extra


def test_merged_packs_past_the_rule_limit_are_refused(tmp_path):
    """A base pack and a merged one with more than MAX_RULES rules in all are refused; just under is fine."""
    base = load_pack()
    rule = yaml.safe_load(THREE.read_text(encoding="utf-8"))["rules"][0]
    under = MAX_RULES - len(base.rules)
    fits = _three_variant(tmp_path, "fits", rules=[{**rule, "id": f"x{i}"} for i in range(under)])
    assert len(load_rules(None, extra=[fits]).rules) == MAX_RULES
    over = _three_variant(tmp_path, "over", rules=[{**rule, "id": f"x{i}"} for i in range(under + 1)])
    with pytest.raises(RulePackError, match=f"more than {MAX_RULES} rules in all"):
        load_rules(None, extra=[over])


def test_packs_evicted_from_the_compiled_cache_still_decide_right(tmp_path):
    """Compiling more packs than the cache keeps evicts the oldest; asking for it again compiles it afresh
    and every pack still fires its own rules (each variant scores docker differently)."""
    rule = yaml.safe_load(THREE.read_text(encoding="utf-8"))["rules"][0]  # microservices
    packs = []
    for i in range(engine._COMPILED_KEPT + 2):
        variant = {**rule, "id": f"micro-{i}", "effects": {"docker": i + 1}}
        packs.append(load_pack(_three_variant(tmp_path, f"v{i}", rules=[variant])))
    stated = Requirements(architecture="microservices")
    for _ in range(2):
        for i, pack in enumerate(packs):
            assert engine.compiled(pack).fired(stated) == (f"micro-{i}",)
    assert len(engine._compiled) <= engine._COMPILED_KEPT


def test_durable_rules_failing_mid_evaluation_is_an_engine_error_and_leaves_no_fact(pack, monkeypatch):
    """When durable-rules raises while running the actions, the error names durable-rules and the pack;
    the fact was retracted, so the next evaluation of the same workload fires normally."""
    compiled = engine.CompiledPack(pack)
    stated = Requirements(architecture="microservices")
    real = engine._dre.start_action_for_state
    monkeypatch.setattr(engine._dre, "start_action_for_state", lambda h, s: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(EngineError, match="durable-rules failed to evaluate: boom") as info:
        compiled.fired(stated)
    assert info.value.path == pack.path
    monkeypatch.setattr(engine._dre, "start_action_for_state", real)
    assert "microservices" in compiled.fired(stated)
    compiled.close()


def test_durable_rules_refusing_the_fact_is_an_engine_error_with_its_code(pack, monkeypatch):
    """A non-zero code from assert_fact is reported with the code, not taken as 'no rule fired'."""
    compiled = engine.CompiledPack(pack)
    monkeypatch.setattr(engine._dre, "assert_fact", lambda h, f: (2, 0))
    with pytest.raises(EngineError, match=r"refused the workload fact \(code 2\)"):
        compiled.fired(Requirements(density="high"))
    compiled.close()


def test_superseding_in_a_folder_with_two_records_of_one_number_names_both(tmp_path, monkeypatch, runner):
    """`adr --supersedes 1` where two records are numbered 1 exits 2 naming both files, and writes nothing."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "doc" / "adr"
    folder.mkdir(parents=True)
    for name in ("0001-use-vms.md", "0001-use-containers.md"):
        (folder / name).write_text("# 1. Something\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n", encoding="utf-8")
    (tmp_path / "w.yaml").write_text("name: w\nrequirements: {density: high}\n", encoding="utf-8")
    result = runner.invoke(cli, ["adr", "w.yaml", "--supersedes", "1"])
    assert result.exit_code == 2, result.output
    assert "several ADRs are numbered 1" in result.stderr
    assert "0001-use-containers.md" in result.stderr and "0001-use-vms.md" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["0001-use-containers.md", "0001-use-vms.md"]
