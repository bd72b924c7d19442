"""The isolation-ladder pack: the answers it gives, and the claims and documents it rests on."""

from __future__ import annotations

import itertools

import pytest
import yaml

from advisor.cli import cli
from advisor.decision import decide
from advisor.rulepack import RulePack, load_pack
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values, load_workload

from .conftest import EXAMPLES, ROOT

PACK = ROOT / "rules" / "isolation-ladder.yaml"
LADDER = EXAMPLES / "ladder"
OPTIONS = ["docker", "gvisor", "microvm", "docker-in-vm", "vm"]
SMALLEST_MARGIN = 2
MAX_QUOTE = 300

# Each example in examples/ladder and the answer an expert gives it.
EXPECTED = {
    "internal-api": "docker",
    "upload-thumbnailer": "gvisor",
    "code-playground": "gvisor",
    "tenant-functions": "microvm",
    "ci-runners": "microvm",
    "packet-filter": "microvm",
    "payments-core": "docker-in-vm",
    "regulated-ledger": "docker-in-vm",
    "windows-agents": "vm",
    "distro-test-lab": "vm",
}

# The conflicts along the ladder, each resolved as an expert would: (requirements, answer).
CONFLICTS = {
    "untrusted code at sub-second start": (dict(untrusted_code=True, startup="subsecond"), "microvm"),
    "untrusted code with heavy I/O": (dict(untrusted_code=True, io="heavy", scaling="elastic"), "microvm"),
    "untrusted code with unusual system calls": (dict(untrusted_code=True, syscalls="unusual"), "microvm"),
    "hostile input to trusted code": (dict(untrusted_input=True, untrusted_code=False), "gvisor"),
    "own kernel, no full OS": (dict(custom_kernel=True, full_os=False), "microvm"),
    "own kernel stated as the kernel need": (dict(kernel="own-kernel", full_os=False, io="heavy"), "microvm"),
    "host agent": (dict(kernel="host-kernel-access", untrusted_code=False, density="low"), "docker"),
    "host-wide settings, sensitive": (
        dict(kernel="host-global-settings", isolation="high", untrusted_code=False),
        "docker-in-vm",
    ),
    "distribution userlands in CI": (dict(os_testing=True, guest_os="same", full_os=False), "docker"),
    "strict tenants, sandboxable": (
        dict(isolation="strict", untrusted_code=True, syscalls="standard", io="light", density="high"),
        "microvm",
    ),
    "own kernel and a full OS": (dict(custom_kernel=True, full_os=True), "vm"),
    "another OS family": (dict(guest_os="different", startup="seconds"), "vm"),
    "a whole OS that scales with load": (dict(full_os=True, scaling="elastic", density="high"), "vm"),
    "strict isolation, trusted code": (dict(isolation="strict", untrusted_code=False), "docker-in-vm"),
    "sensitive trusted microservices": (
        dict(architecture="microservices", isolation="high", untrusted_code=False),
        "docker-in-vm",
    ),
    "plain trusted microservices": (
        dict(architecture="microservices", isolation="standard", untrusted_code=False, scaling="elastic"),
        "docker",
    ),
}


@pytest.fixture(scope="module")
def ladder() -> RulePack:
    """The shipped isolation-ladder pack, loaded once."""
    return load_pack(PACK)


@pytest.fixture(scope="module")
def raw() -> dict:
    """The pack file as written."""
    return yaml.safe_load(PACK.read_text(encoding="utf-8"))


def _decide(pack: RulePack, **stated):
    return decide(Workload(name="w", requirements=Requirements(**stated)), pack, counterfactuals=False)


def _assert_clear_win(decision, expected: str) -> None:
    assert decision.recommendation == expected, decision.scores
    if decision.margin is None:
        assert set(decision.vetoes) == set(OPTIONS) - {expected}
    else:
        assert decision.margin >= SMALLEST_MARGIN, decision.scores


def test_the_pack_offers_the_five_rungs_in_order(ladder):
    """The pack is named isolation-ladder and offers exactly the five options, in ladder order."""
    assert ladder.name == "isolation-ladder"
    assert list(ladder.options) == OPTIONS


def test_each_option_has_a_title_summary_and_next_steps_of_its_own(ladder):
    """No two options share a title, a summary or a next step, and each has steps to take."""
    options = list(ladder.options.values())
    assert len({o.title for o in options}) == len({o.summary for o in options}) == len(OPTIONS)
    steps = [step["text"] for o in options for step in o.next_steps]
    assert all(o.next_steps for o in options)
    assert len(steps) == len(set(steps))


@pytest.mark.parametrize("path", sorted(LADDER.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_get_the_experts_answer_by_a_real_margin(ladder, path):
    """Each ladder example gets the answer an expert gives, by two points or more or because the rest are vetoed."""
    workload = load_workload(path, ladder.options)
    decision = decide(workload, ladder, counterfactuals=False)
    _assert_clear_win(decision, EXPECTED[workload.name])
    assert workload.declared == EXPECTED[workload.name]


def test_every_example_is_pinned_and_every_option_has_one():
    """The table above names every ladder example, and each option is some example's answer."""
    assert sorted(p.stem for p in LADDER.glob("*.yaml")) == sorted(EXPECTED)
    assert set(EXPECTED.values()) == set(OPTIONS)


@pytest.mark.parametrize("case", CONFLICTS)
def test_conflicts_along_the_ladder_are_resolved_as_an_expert_would(ladder, case):
    """Each conflict between the rungs comes out as the experts resolve it, by a real margin or a veto."""
    stated, expected = CONFLICTS[case]
    _assert_clear_win(_decide(ladder, **stated), expected)


def _workloads_with(fixed: dict, extra: int = 2):
    others = [f for f in REQUIREMENT_FIELDS if f not in fixed]
    for combo in itertools.combinations(others, extra):
        for values in itertools.product(*(allowed_values(f) for f in combo)):
            yield {**fixed, **dict(zip(combo, values, strict=True))}


@pytest.mark.parametrize("need", [{"io": "heavy"}, {"syscalls": "unusual"}], ids=["heavy-io", "unusual-syscalls"])
def test_untrusted_code_that_gvisor_serves_badly_never_goes_to_gvisor(ladder, need):
    """Whatever two other fields say, untrusted code with heavy I/O or unusual system calls is never sent to gVisor."""
    for stated in _workloads_with({"untrusted_code": True, **need}):
        decision = _decide(ladder, **stated)
        assert "docker" in decision.vetoes, stated
        assert decision.recommendation != "gvisor" and "gvisor" not in decision.tied, stated


def test_an_own_kernel_never_goes_to_plain_or_sandboxed_containers(ladder):
    """Whatever two other fields say, a kernel of its own rules out plain and gVisor-sandboxed containers."""
    for need in ({"custom_kernel": True}, {"kernel": "own-kernel"}):
        for stated in _workloads_with(need):
            decision = _decide(ladder, **stated)
            assert {"docker", "gvisor"} <= set(decision.vetoes), stated
            assert decision.recommendation not in ("docker", "gvisor"), stated


def test_another_os_family_never_goes_to_shared_hosts_sandboxes_or_microvms(ladder):
    """Whatever two other fields say, another OS family rules out plain and sandboxed containers and microVMs."""
    for stated in _workloads_with({"guest_os": "different"}):
        decision = _decide(ladder, **stated)
        assert {"docker", "gvisor", "microvm"} <= set(decision.vetoes), stated
        assert {decision.recommendation, *decision.tied} - {None} <= {"vm", "docker-in-vm"}, stated


def test_a_whole_os_of_another_family_goes_to_a_full_vm(ladder):
    """Another OS family with a whole OS goes to a full VM, whatever one other field says (but a host agent)."""
    for stated in _workloads_with({"guest_os": "different", "full_os": True}, extra=1):
        if stated.get("kernel") != "host-kernel-access":
            assert _decide(ladder, **stated).recommendation == "vm", stated


def test_a_whole_os_never_goes_to_an_application_container(ladder):
    """Whatever two other fields say, a whole OS rules out plain, sandboxed and dedicated-node containers."""
    for stated in _workloads_with({"full_os": True}):
        assert {"docker", "gvisor", "docker-in-vm"} <= set(_decide(ladder, **stated).vetoes), stated


def test_a_host_agent_runs_in_a_container_on_the_hosts_kernel(ladder):
    """Whatever two other fields say, a host-kernel agent goes to no gVisor, microVM, VM or VMs set aside for it."""
    for stated in _workloads_with({"kernel": "host-kernel-access"}):
        decision = _decide(ladder, **stated)
        assert {"gvisor", "microvm", "docker-in-vm", "vm"} <= set(decision.vetoes), stated


def test_every_claim_names_a_declared_document_a_short_quote_and_is_cited(raw):
    """Each claim comes from a declared document, quotes it briefly, and is cited by a rule or a next step."""
    cited = {cid for rule in raw["rules"] for cid in rule["sources"]}
    cited |= {cid for option in raw["options"].values() for step in option["next_steps"] for cid in step["sources"]}
    for cid, claim in raw["claims"].items():
        assert claim["document"] in raw["documents"], cid
        assert claim["section"].strip() and claim["text"].strip(), cid
        assert 0 < len(" ".join(claim["quote"].split())) <= MAX_QUOTE, cid
        assert cid in cited, f"claim {cid} is cited by no rule or next step"
    assert cited <= set(raw["claims"])
    assert {claim["document"] for claim in raw["claims"].values()} == set(raw["documents"])


def test_every_rule_cites_a_claim_and_every_document_says_where_it_is(raw):
    """Each rule rests on at least one claim; each document beyond the seed has a publisher, a year and a URL."""
    assert all(rule["sources"] for rule in raw["rules"])
    for did, document in raw["documents"].items():
        assert document["title"].strip() and document["publisher"].strip(), did
        if did != "seed":
            assert isinstance(document["year"], int) and document["url"].startswith("https://"), did


def test_the_pack_lints_clean(runner):
    """advisor rules lint finds nothing wrong with the shipped ladder pack."""
    result = runner.invoke(cli, ["rules", "lint", str(PACK)])
    assert result.exit_code == 0, result.output
