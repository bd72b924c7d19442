"""Rule packs: the default pack is sound and cites its source; broken packs are located."""

from __future__ import annotations

import re

import pytest

from advisor.errors import RulePackError
from advisor.resources import default_pack_path
from advisor.rulepack import check_pack, load_pack

from .conftest import SHARED

HEADER = """\
pack: test
claims:
  C1: {section: s, quote: q, text: t}
options:
  docker: {title: Docker, summary: d}
  vm: {title: VM, summary: v}
rules:
"""


def problems_of(write, rules: str) -> list[str]:
    path = write("pack.yaml", HEADER + rules)
    pack, problems = check_pack(path)
    assert (pack is None) == bool(problems)
    return [str(p).replace(str(path), "FILE") for p in problems]


def test_every_claim_s1_to_s5_and_s7_backs_a_rule(pack):
    """Each of the source's claims S1 to S5 and S7 (both sides) is cited by at least one rule."""
    cited = {cid for rule in pack.rules for cid in rule.sources}
    needed = {f"S{n}.{side}" for n in (1, 2, 3, 4, 5, 7) for side in ("vm", "docker")}
    assert needed <= cited, sorted(needed - cited)


def test_claim_ids_match_the_source_claims_table(pack):
    """The pack's claim ids are exactly the ids of the claims table beside the source document."""
    table = SHARED / "seed" / "claims.md"
    if not table.exists():
        pytest.skip("the shared claims table is not beside this checkout")
    ids = set(re.findall(r"^\| (S\d(?:\.\w+)?) \|", table.read_text(encoding="utf-8"), re.M))
    assert set(pack.claims) == ids


def test_quotes_are_taken_from_the_russian_original(pack):
    """Every quoted fragment of a claim appears word for word in the source document."""
    source = SHARED / "seed" / "000_dbdcd57da96ebe0f.txt"
    if not source.exists():
        pytest.skip("the shared source document is not beside this checkout")
    text = " ".join(source.read_text(encoding="utf-8").replace("*", "").split())
    for claim in pack.claims.values():
        if claim.id == "S6":
            continue
        for fragment in re.split(r"\s*\[…\],?\s*", claim.quote):
            assert " ".join(fragment.split()).rstrip(".") in text, claim.id


def test_no_rule_rests_on_the_l2_l4_virtualization_error(pack):
    """Nothing in the pack repeats the source's wrong 'L2/L4 virtualization' phrase."""
    raw = default_pack_path().read_text(encoding="utf-8")
    body = raw.split("\nclaims:", 1)[1]  # the header comment names the error to warn against it
    assert "L2" not in body and "уровня 2" not in body


def test_the_default_pack_lints_clean():
    """The shipped pack has no problems."""
    _pack, problems = check_pack(default_pack_path())
    assert problems == []


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "  - {id: a, dimension: isolation, when: {isolaton: high}, effects: {vm: 1}, because: b, sources: [C1]}\n",
            "FILE:8: a: unknown field 'isolaton' (did you mean 'isolation'?)",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: extreme}, effects: {vm: 1}, because: b,"
            " sources: [C1]}\n",
            "FILE:8: a: isolation can never be 'extreme'; it is one of standard, high, strict",
        ),
        (
            "  - {id: a, dimension: isolation, when: {untrusted_code: 'true'}, effects: {vm: 1}, because: b,"
            " sources: [C1]}\n",
            "FILE:8: a: untrusted_code can never be 'true'; it is one of true, false",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {kvm: 1}, because: b,"
            " sources: [C1]}\n",
            "FILE:8: a: unknown option 'kvm' (did you mean 'vm'?)",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b}\n",
            "FILE:8: a: 'sources' must list at least one claim id",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b,"
            " sources: [C11]}\n",
            "FILE:8: a: unknown claim id 'C11' (did you mean 'C1'?)",
        ),
        (
            "  - {id: a, dimension: security, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n",
            "FILE:8: a: dimension 'security' is not one of architecture, isolation, startup, performance,"
            " resources, use_case",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: lots}, because: b,"
            " sources: [C1]}\n",
            "FILE:8: a: an effect is a whole number from -100 to 100, or 'veto'",
        ),
        (
            "  - {id: a, dimension: isolation, when: {any: []}, effects: {vm: 1}, because: b, sources: [C1]}\n",
            "FILE:8: a: 'any' takes a non-empty list of conditions",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, sources: [C1]}\n",
            "FILE:8: a: 'because' is missing",
        ),
    ],
)
def test_each_kind_of_rule_problem_is_located(write, rule, expected):
    """A broken rule is reported as file:line: rule-id: what is wrong."""
    assert problems_of(write, rule) == [expected]


def test_duplicate_ids_and_every_problem_are_reported(write):
    """Lint reports every problem, including a duplicate id with the line of the first."""
    rules = (
        "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n"
        "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n"
        "  - {id: c, dimension: isolation, when: {density: huge}, effects: {vm: 1}, because: b, sources: [C1]}\n"
    )
    assert problems_of(write, rules) == [
        "FILE:9: a: duplicate rule id (first at line 8)",
        "FILE:10: c: density can never be 'huge'; it is one of low, medium, high",
    ]


def test_load_pack_raises_the_first_problem_with_a_count(write):
    """Loading a broken pack fails with its first problem and how many more there are."""
    path = write("pack.yaml", HEADER + "  - {id: a}\n")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert str(info.value).startswith(f"{path}:8: a: 'dimension' is missing (and 4 more; run 'advisor rules lint')")


def test_conditions_compile_to_guarded_durable_rules_conditions(pack):
    """Every compiled condition is an $and led by the fact discriminator."""
    for rule in pack.rules:
        cond = rule.durable_condition()
        assert list(cond) == ["$and"] and cond["$and"][0] == {"_fact": "workload"}


def test_conditions_describe_themselves_in_words(pack):
    """A compound condition reads as words a report can show."""
    assert pack.rule("os-testing").when.describe() == (
        "os_testing is true and (custom_kernel is true or kernel is own-kernel or guest_os is different"
        " or full_os is true)"
    )
    assert pack.rule("frequent-deploys").when.describe() == "deploy_frequency is daily or continuous"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "  - {id: a, dimension: [isolation], when: {isolation: high}, effects: {vm: 1}, because: b,"
            " sources: [C1]}\n",
            "FILE:8: a: dimension \"['isolation']\" is not one of architecture, isolation, startup, performance,"
            " resources, use_case",
        ),
        (
            "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b,"
            " sources: [[C1]]}\n",
            "FILE:8: a: a claim id is a string, got a list",
        ),
    ],
)
def test_values_of_the_wrong_type_are_problems_not_crashes(write, rule, expected):
    """A list where a name belongs is reported like any other problem."""
    assert problems_of(write, rule) == [expected]


def test_next_steps_are_validated(write):
    """Next steps need text, and their sources must be known claim ids."""
    pack = HEADER.replace(
        "  vm: {title: VM, summary: v}\n",
        "  vm: {title: VM, summary: v, next_steps: [{command: ls, sources: 5}, {text: t, sources: [C9], why: x}]}\n",
    )
    rule = "  - {id: a, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n"
    path = write("pack.yaml", pack + rule)
    _pack, problems = check_pack(path)
    assert [str(p).replace(str(path), "FILE") for p in problems] == [
        "FILE:6: 'text' is missing",
        "FILE:6: 'sources' must list at least one claim id",
        "FILE:6: unknown key 'why'",
        "FILE:6: unknown claim id 'C9'",
    ]


def test_claim_ids_and_versions_must_be_strings(write):
    """A numeric claim id or a float version is refused instead of being silently rewritten."""
    path = write("pack.yaml", HEADER.replace("pack: test\n", "pack: test\nversion: 1.10\n").replace("  C1:", "  1:"))
    _pack, problems = check_pack(path)
    messages = [p.message for p in problems]
    assert "'version' must be a string (quote it), got a number" in messages
    assert "claim id 1 must be a string (quote it)" in messages


HUGE = "0x" + "f" * 4000  # read by YAML as an integer whose decimal form Python refuses to print


def rule_with(when: str, rid: str = "a") -> str:
    return f"  - {{id: {rid}, dimension: isolation, when: {when}, effects: {{vm: 1}}, because: b, sources: [C1]}}\n"


def test_a_condition_with_more_ways_than_the_engine_follows_is_refused(write):
    """Lint and load refuse a condition durable-rules would fail on (error 303): more than 64 ways to match."""
    wide = "{any: [" + ", ".join(["{isolation: high}"] * 65) + "]}"
    product = "{isolation: [standard, high, strict], startup: [minutes, seconds, subsecond], scaling: [fixed, elastic, bursty], deploy_frequency: [rare, weekly, daily, continuous]}"  # noqa: E501
    limit = "{any: [" + ", ".join(["{isolation: high}"] * 64) + "]}"
    assert problems_of(write, rule_with(wide, "w") + rule_with(product, "p") + rule_with(limit, "l")) == [
        "FILE:8: w: the condition can match in 65 ways, more than the 64 durable-rules can follow for one fact;"
        " split the rule",
        "FILE:9: p: the condition can match in 108 ways, more than the 64 durable-rules can follow for one fact;"
        " split the rule",
    ]


def test_rules_whose_ways_add_up_past_the_engine_limit_still_decide(write):
    """Rules that each match in few ways but together in more than 64 are split so durable-rules runs them."""
    from advisor.engine import compiled
    from advisor.workload import Requirements

    rules = "".join(rule_with("{any: [{isolation: high}, {isolation: high}]}", f"r{i}") for i in range(40))
    pack = load_pack(write("pack.yaml", HEADER + rules))
    assert len(compiled(pack).fired(Requirements(isolation="high"))) == 40


def test_huge_numbers_are_problems_not_crashes(write):
    """Integers too long to print, as a version, a condition value, an option or a claim id, are located problems."""
    body = HEADER.replace("pack: test\n", f"pack: test\nversion: {HUGE}\n") + (
        f"  - {{id: a, dimension: isolation, when: {{isolation: {HUGE}}}, effects: {{vm: 1}}, because: b,"
        f" sources: [{HUGE}]}}\n"
        "  - id: b\n    dimension: isolation\n    when: {isolation: high}\n"
        f"    effects:\n      ? {HUGE}\n      : 1\n    because: b\n    sources: [C1]\n"
    )
    cut = "0x" + "f" * 57 + "…"
    path = write("huge.yaml", body)
    _pack, found = check_pack(path)
    assert [str(p).replace(str(path), "FILE") for p in found] == [
        "FILE:2: 'version' must be a string (quote it), got a number",
        f"FILE:9: a: isolation can never be '{cut}'; it is one of standard, high, strict",
        "FILE:9: a: a claim id is a string, got a number",
        f"FILE:13: b: unknown option '{cut}'",  # its key is too long a number to name its line
    ]


def test_long_values_are_cut_in_messages(write):
    """A value of half a megabyte is echoed as its first 60 characters or so, not whole."""
    (problem,) = problems_of(write, rule_with("{isolation: " + "x" * 500_000 + "}"))
    assert problem == "FILE:8: a: isolation can never be '" + "x" * 59 + "…'; it is one of standard, high, strict"


DIMENSIONS = "dimensions:\n  security: {title: Security and isolation}\n  cost: {title: Cost, order: 0}\n"


def test_the_default_pack_declares_its_dimensions_in_the_sources_order(pack):
    """The shipped pack's dimensions are the source's six sections, with their titles, in order."""
    assert [(d.id, d.title, d.order) for d in pack.dimensions.values()] == [
        ("architecture", "Architecture", 1),
        ("isolation", "Isolation and security", 2),
        ("startup", "Startup and scaling", 3),
        ("performance", "Performance", 4),
        ("resources", "Resource use", 5),
        ("use_case", "Use case", 6),
    ]


def test_a_pack_declares_its_own_dimensions(write):
    """A rule's dimension must be one the pack declares, with a did-you-mean for a near miss."""
    path = write(
        "pack.yaml",
        HEADER.replace("rules:\n", DIMENSIONS + "rules:\n")
        + "  - {id: a, dimension: security, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n"
        + "  - {id: c, dimension: securty, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1]}\n",
    )
    pack, found = check_pack(path)
    assert [str(p).replace(str(path), "FILE") for p in found] == [
        "FILE:12: c: dimension 'securty' is not one of security, cost (did you mean 'security'?)"
    ]
    path.write_text(path.read_text(encoding="utf-8").split("  - {id: c")[0], encoding="utf-8")
    pack = load_pack(path)
    assert [(d.id, d.title, d.order) for d in pack.dimensions.values()] == [
        ("cost", "Cost", 0), ("security", "Security and isolation", 1),
    ]


def test_a_pack_without_dimensions_has_those_of_the_requirement_fields(write):
    """Without a dimensions block, the dimensions are the requirement fields' own, titled by their ids."""
    pack = load_pack(write("pack.yaml", HEADER + rule_with("{isolation: high}")))
    assert {d.id: d.title for d in pack.dimensions.values()} == {
        d: d for d in ("architecture", "isolation", "startup", "performance", "resources", "use_case")
    }


def test_merged_packs_union_their_dimensions(pack, write):
    """An extra pack may add a dimension and cite the base pack's; the merged pack holds both, in order."""
    extra = write(
        "extra.yaml",
        "pack: extra\ndimensions:\n  cost: {title: Cost, order: 7}\nrules:\n"
        "  - {id: cheap, dimension: cost, when: {resource_budget: tight}, effects: {docker: 1}, because: b,"
        " sources: [S5.docker]}\n"
        "  - {id: also, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b,"
        " sources: [S2.vm]}\n",
    )
    merged = pack.merged(load_pack(extra, base=pack))
    assert list(merged.dimensions) == [*pack.dimensions, "cost"]
    assert merged.dimensions["isolation"].title == "Isolation and security"
    assert merged.rule("cheap").line == 5 and merged.path == pack.path
    assert merged.digest != pack.digest  # the engine compiles the merged rules, not the base pack's


def test_keys_a_pack_does_not_know_are_located_with_a_hint(write):
    """An unknown key in a rule or at the top is reported with its line and the key it resembles."""
    path = write("pack.yaml", "titel: x\n" + HEADER + "  - {id: a, dimension: isolation, when: {isolation: high},"
                 " effects: {vm: 1}, because: b, sources: [C1], sorces: [C1]}\n")
    _pack, found = check_pack(path)
    assert [str(p).replace(str(path), "FILE") for p in found] == [
        "FILE:1: unknown key 'titel' (did you mean 'title'?)",
        "FILE:9: a: unknown key 'sorces' (did you mean 'sources'?)",
    ]


def test_deeply_nested_conditions_and_located_attributes_are_refused(write):
    """A condition nested past 32 levels is a problem, and a rule cannot set the line the pack gives it."""
    deep = "{isolation: high}"
    for _ in range(40):
        deep = "{any: [" + deep + "]}"
    rules = rule_with(deep) + (
        "  - {id: b, dimension: isolation, when: {isolation: high}, effects: {vm: 1}, because: b, sources: [C1],"
        " line: 3}\n"
    )
    assert problems_of(write, rules) == [
        "FILE:8: a: conditions nest more than 32 deep",
        "FILE:9: b: unknown key 'line'",
    ]
