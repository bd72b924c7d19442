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
