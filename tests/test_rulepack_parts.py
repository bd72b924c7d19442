"""Rule packs in detail: ids, effects and versions at their limits, merged packs, the cache, and load errors."""

from __future__ import annotations

import pytest

from advisor import rulepack, yamlfile
from advisor.errors import RulePackError
from advisor.rulepack import check_pack, load_pack, load_rules

from .test_rulepack import HEADER


def rule(rid: str = "a", effects: str = "{vm: 1}", sources: str = "[C1]") -> str:
    """One rule in flow style, on one line."""
    return (
        f"  - {{id: {rid}, dimension: isolation, when: {{isolation: high}}, effects: {effects}, because: b,"
        f" sources: {sources}}}\n"
    )


def problems_of(write, text: str) -> list[str]:
    """The problems of a pack with this text, with its path shown as FILE."""
    path = write("pack.yaml", text)
    pack, found = check_pack(path)
    assert (pack is None) == bool(found)
    return [str(p).replace(str(path), "FILE") for p in found]


@pytest.mark.parametrize("rid", ["Bad-Id", "5", "a--b", "-a"])
def test_a_malformed_rule_id_is_refused_under_its_place_in_the_list(write, rid):
    """A rule id that is not lower-case words is refused, and the rule is named by its index, not that id."""
    assert problems_of(write, HEADER + rule("ok") + rule(rid)) == [
        f"FILE:9: rules[1]: rule id '{rid}' must be lower-case words joined by '-', '_' or '.'"
    ]


def test_rule_ids_may_join_words_with_dashes_underscores_and_dots(write):
    """Ids such as 'a-b', 'a_b' and 'a.b2' are valid and the rules can be looked up by them."""
    pack = load_pack(write("pack.yaml", HEADER + rule("a-b") + rule("a_b") + rule("a.b2")))
    assert [pack.rule(rid).id for rid in ("a-b", "a_b", "a.b2")] == ["a-b", "a_b", "a.b2"]


def test_a_rule_that_is_not_a_mapping_is_named_by_its_index(write):
    """A list entry that is text, not a rule, is a located problem rather than a crash."""
    assert problems_of(write, HEADER + rule() + "  - just text\n") == [
        "FILE:9: rules[1]: expected a mapping, got a string"
    ]


@pytest.mark.parametrize("effects", ["[vm]", "{}", "vm"])
def test_effects_must_be_a_non_empty_mapping(write, effects):
    """Effects given as a list, an empty mapping or a word are refused with what they must hold."""
    assert problems_of(write, HEADER + rule(effects=effects)) == [
        "FILE:8: a: 'effects' must map options to points or 'veto'"
    ]


def test_effects_reach_exactly_from_minus_100_to_100(write):
    """-100 and 100 points are kept as written; -101, 101 and true are each refused."""
    pack = load_pack(write("pack.yaml", HEADER + rule(effects="{vm: -100, docker: 100}")))
    assert pack.rule("a").effects == {"vm": -100, "docker": 100}
    message = "FILE:8: a: an effect is a whole number from -100 to 100, or 'veto'"
    assert problems_of(write, HEADER + rule(effects="{vm: -101, docker: 101}")) == [message, message]
    assert problems_of(write, HEADER + rule(effects="{vm: true}")) == [message]


def test_a_numeric_version_of_up_to_64_bits_is_kept_as_text(write):
    """An unquoted whole-number version up to 2**64 - 1 becomes its digits; 2**64 is refused."""
    for number in (2, 2**64 - 1):
        pack = load_pack(write("pack.yaml", HEADER.replace("pack: test\n", f"pack: test\nversion: {number}\n")
                               + rule()))
        assert pack.version == str(number)
    assert problems_of(write, HEADER.replace("pack: test\n", f"pack: test\nversion: {2**64}\n") + rule()) == [
        "FILE:2: 'version' must be a string (quote it), got a number"
    ]


def test_a_problem_in_a_case_is_named_by_the_case(write):
    """A case's problem carries the case's name as its field part."""
    text = HEADER + rule() + "cases:\n  - {name: my case, recommends: kvm}\n"
    assert problems_of(write, text) == ["FILE:10: my case: unknown option 'kvm' (did you mean 'vm'?)"]


def test_a_pack_that_is_not_a_mapping_is_one_located_problem(write):
    """A pack written as a list is refused with the line it starts on."""
    path = write("pack.yaml", "# a list, not a pack\n- a\n- b\n")
    pack, found = check_pack(path)
    assert pack is None
    assert [tuple(p) for p in found] == [(str(path), 2, None, "a rule pack must be a mapping, got a list")]


def test_unreadable_and_invalid_pack_files_are_rule_pack_errors(write, tmp_path):
    """A missing pack file and one that is not YAML raise RulePackError, located, not another kind of error."""
    missing = tmp_path / "missing.yaml"
    with pytest.raises(RulePackError) as info:
        check_pack(missing)
    assert str(info.value) == f"{missing}: no such file"
    broken = write("broken.yaml", "pack: [unclosed\n")
    with pytest.raises(RulePackError) as info:
        check_pack(broken)
    assert str(info.value).startswith(f"{broken}:2: invalid YAML")


def test_load_pack_counts_the_problems_after_the_first(write):
    """One problem is raised alone; with two, the message adds that there is one more."""
    one = write("one.yaml", HEADER + rule().replace(" because: b,", ""))
    with pytest.raises(RulePackError) as info:
        load_pack(one)
    assert str(info.value) == f"{one}:8: a: 'because' is missing"
    path = write("two.yaml", HEADER + rule().replace(" because: b,", "") + rule("c", effects="{kvm: 1}"))
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert str(info.value) == f"{path}:8: a: 'because' is missing (and 1 more; run 'advisor rules lint')"


EXTRA = """\
pack: extra
documents:
  paper: {title: A paper}
claims:
  X1: {document: paper, section: s, quote: q, text: t}
options:
  vm: {title: Another VM, summary: other}
  gvisor: {title: gVisor, summary: g}
rules:
"""


def test_a_merged_pack_adds_the_other_packs_names_and_keeps_its_own(write):
    """Merging adds the other pack's documents, claims, options and rules; names both declare keep this pack's."""
    base = load_pack(write("base.yaml", HEADER + rule("a")))
    extra = load_pack(write("extra.yaml", EXTRA + rule("b", effects="{gvisor: 1}", sources="[X1, C1]")), base=base)
    merged = base.merged(extra)
    assert [r.id for r in merged.rules] == ["a", "b"]
    assert set(merged.documents) == {"paper"} and merged.claims["X1"].document == "paper"
    assert set(merged.claims) == {"C1", "X1"}
    assert list(merged.options) == ["vm", "gvisor", "docker"]
    assert (merged.options["vm"].title, merged.options["gvisor"].title) == ("VM", "gVisor")


def test_a_merged_pack_works_its_lookups_out_afresh(write):
    """After a merge, rule lookup and the digest cover the added rules even when the base had worked them out."""
    base = load_pack(write("base.yaml", HEADER + rule("a")))
    base_digest, _ = base.digest, base.rule("a")
    merged = base.merged(load_pack(write("extra.yaml", "pack: extra\nrules:\n" + rule("b")), base=base))
    assert merged.rule("b").id == "b"
    assert merged.digest != base_digest
    assert merged.digest == load_pack(write("both.yaml", HEADER + rule("a") + rule("b"))).digest


def test_merging_a_rule_id_twice_names_the_first_clash_and_the_other_pack(write):
    """Packs that define the same rule ids cannot be merged: the error names the first id and both files."""
    base = load_pack(write("base.yaml", HEADER + rule("a") + rule("b")))
    path = write("extra.yaml", "pack: extra\nrules:\n" + rule("c") + rule("b") + rule("a"))
    with pytest.raises(RulePackError) as info:
        base.merged(load_pack(path, base=base))
    assert str(info.value) == f"{path}: rule id 'b' is already defined by {base.path}"


def many(prefix: str, count: int) -> str:
    """``count`` rules whose ids start with ``prefix``."""
    return "".join(rule(f"{prefix}{i}") for i in range(count))


def test_merged_packs_hold_at_most_500_rules_in_all(write):
    """Two packs of 250 rules merge; one rule more is refused, naming the pack that brought it."""
    base = load_pack(write("base.yaml", HEADER + many("a", 250)))
    assert len(base.merged(load_pack(write("fits.yaml", "pack: x\nrules:\n" + many("b", 250)), base=base)).rules) == 500
    path = write("over.yaml", "pack: x\nrules:\n" + many("b", 251))
    with pytest.raises(RulePackError) as info:
        base.merged(load_pack(path, base=base))
    assert str(info.value) == f"{path}: more than 500 rules in all"


def test_load_rules_merges_extra_packs_that_cite_the_base(write):
    """load_rules reads the base pack, then each extra pack against it (so it may cite the base's claims)."""
    base = write("base.yaml", HEADER + rule("a"))
    first = write("first.yaml", "pack: first\nrules:\n" + rule("b"))
    second = write("second.yaml", "pack: second\nrules:\n" + rule("c", effects="{docker: 2}"))
    pack = load_rules(str(base), [str(first), second])
    assert [(r.id, r.effects) for r in pack.rules] == [("a", {"vm": 1}), ("b", {"vm": 1}), ("c", {"docker": 2})]
    assert pack.path == str(base)


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    """The user's cache switched on, in a folder of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)


def no_parsing(monkeypatch):
    """Make any parse of YAML fail, so that only a cached pack can be returned."""

    def refuse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(yamlfile, "parse", refuse)


def test_a_pack_read_again_comes_from_the_cache(write, cache_on, monkeypatch):
    """A pack validated on its own is kept, and the same text at the same path is later returned without parsing."""
    path = write("pack.yaml", HEADER + rule("a"))
    first, found = check_pack(path)
    assert found == [] and first is not None
    no_parsing(monkeypatch)
    again, found = check_pack(path)
    assert found == [] and type(again) is rulepack.RulePack
    assert [r.id for r in again.rules] == ["a"] and again.digest == first.digest


ALONE = ["a pack needs at least one option", "unknown option 'vm'", "unknown claim id 'C1'"]


def test_a_pack_read_against_a_base_is_never_cached(write, cache_on, monkeypatch):
    """A pack validated with a base pack is neither taken from nor put in the cache: alone, its citations fail."""
    base = load_pack(write("base.yaml", HEADER + rule("a")))
    path = write("extra.yaml", "pack: extra\nrules:\n" + rule("b"))
    alone, found = check_pack(path)
    assert alone is None and [p.message for p in found] == ALONE
    with_base, found = check_pack(path, base=base)
    assert found == [] and with_base is not None
    alone, found = check_pack(path)
    assert alone is None and [p.message for p in found] == ALONE


FULL = """\
pack: full
version: "3"
title: {en: Full pack, ru: Полный набор}
source: {title: The source, document: sources/src.txt}
documents:
  doc: {title: A study, publisher: A lab, year: 2020, url: "https://example.invalid/a", file: sources/a.txt}
claims:
  C1: {document: doc, section: "2. Results", quote: Original words, text: A paraphrase}
options:
  docker:
    title: {en: Containers, ru: Контейнеры}
    summary: Shared kernel.
    next_steps:
      - {text: {en: Start it, ru: Запустите}, command: docker run -d x, sources: [C1]}
  vm: {title: VMs, summary: Own kernel.}
dimensions:
  isolation: {title: {en: Isolation, ru: Изоляция}, order: 1}
rules:
  - id: a
    dimension: isolation
    when: {isolation: high}
    effects: {vm: 2, docker: veto}
    because: {en: Because of it, ru: Потому что}
    sources: [C1]
"""


def test_a_loaded_pack_keeps_every_field_its_file_declares(write):
    """The records of a loaded pack hold each field of the file: pack, documents, claims, options, dimensions, rules."""
    pack = load_pack(write("pack.yaml", FULL))
    assert (pack.name, pack.version, pack.title, pack.title.in_lang("ru")) == ("full", "3", "Full pack", "Полный набор")
    assert pack.source == {"title": "The source", "document": "sources/src.txt"}
    doc = pack.documents["doc"]
    assert (doc.id, doc.title, doc.publisher, doc.year, doc.url, doc.file) == (
        "doc", "A study", "A lab", 2020, "https://example.invalid/a", "sources/a.txt"
    )
    claim = pack.claims["C1"]
    assert (claim.id, claim.document, claim.section, claim.quote, claim.text) == (
        "C1", "doc", "2. Results", "Original words", "A paraphrase"
    )
    docker = pack.options["docker"]
    assert (docker.id, docker.title.in_lang("ru"), docker.summary) == ("docker", "Контейнеры", "Shared kernel.")
    assert [(s["text"].in_lang("ru"), s["command"], s["sources"]) for s in docker.next_steps] == [
        ("Запустите", "docker run -d x", ["C1"])
    ]
    assert (pack.options["vm"].summary, pack.options["vm"].next_steps) == ("Own kernel.", ())
    assert [(d.id, d.title.in_lang("ru"), d.order) for d in pack.dimensions.values()] == [("isolation", "Изоляция", 1)]
    (only,) = pack.rules
    assert (only.id, only.dimension, only.effects, only.sources, only.line) == (
        "a", "isolation", {"vm": 2, "docker": "veto"}, ("C1",), 19
    )
    assert (only.because, only.because.in_lang("ru")) == ("Because of it", "Потому что")
    assert only.when.to_data() == {"isolation": "high"}
    assert pack.path == str(write("pack.yaml", FULL))


def test_a_text_and_its_translations_survive_the_cache():
    """A pack's text pickles (as the cache keeps it) with its English and its translations."""
    import pickle

    from advisor.packrecords import Localized

    again = pickle.loads(pickle.dumps(Localized("Isolation", {"ru": "Изоляция"})))
    assert (type(again), str(again), again.in_lang("ru"), again.in_lang("en")) == (
        Localized, "Isolation", "Изоляция", "Isolation"
    )
