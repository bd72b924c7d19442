"""The default pack's advice on workloads whose answer experts agree on, and on those they split on."""

from __future__ import annotations

import itertools
import re

import pytest

from advisor import yamlfile
from advisor.decision import decide as evaluate
from advisor.workload import (
    REQUIREMENT_FIELDS,
    Requirements,
    Workload,
    allowed_values,
    load_workload,
    workload_from_document,
)

from .conftest import EXAMPLES, ROOT

# (requirements, expected option, smallest acceptable margin; None where the other is vetoed)
PANEL = {
    # Security and kernel needs.
    "untrusted tenant code under strict isolation": (dict(untrusted_code=True, isolation="strict"), "vm", None),
    "third-party CI jobs on shared runners": (
        dict(untrusted_code=True, startup="seconds", scaling="elastic"),
        "vm",
        None,
    ),
    "Windows services on Linux hosts": (dict(guest_os="different", startup="minutes"), "vm", None),
    "kernel-module testing": (dict(os_testing=True, custom_kernel=True), "vm", None),
    "regulated workload needing strict separation": (dict(isolation="strict", architecture="monolith"), "vm", None),
    "microservices running hostile tenant code": (
        dict(architecture="microservices", untrusted_code=True, scaling="bursty", density="high", startup="subsecond"),
        "vm",
        None,
    ),
    "high isolation monolith on few hosts": (dict(isolation="high", density="low", untrusted_code=False), "vm", 4),
    # Container convenience with nothing for VMs.
    "elastic microservices": (dict(architecture="microservices", scaling="elastic", startup="seconds"), "docker", 6),
    "tight resource budget, dense": (dict(resource_budget="tight", density="high"), "docker", 6),
    "tight resource budget": (dict(resource_budget="tight", full_os=False), "docker", 3),
    "bursty trusted functions": (dict(scaling="bursty", startup="subsecond", untrusted_code=False), "docker", 8),
    "continuous delivery of a web API": (dict(deploy_frequency="continuous", startup="seconds"), "docker", 4),
    "near-native, dense, trusted": (dict(performance="critical", density="high", untrusted_code=False), "docker", 6),
    "fixed internal web app deployed daily": (
        dict(
            architecture="monolith",
            scaling="fixed",
            deploy_frequency="daily",
            isolation="standard",
            untrusted_code=False,
            density="low",
            resource_budget="generous",
        ),
        "docker",
        3,
    ),
    "GPU training pool": (
        dict(
            performance="critical",
            isolation="standard",
            untrusted_code=False,
            density="low",
            resource_budget="generous",
            scaling="elastic",
        ),
        "docker",
        3,
    ),
    # Testing: only other kernels, OS families or a whole OS need VMs.
    "package tests on distribution userlands sharing the host's kernel": (
        dict(os_testing=True, custom_kernel=False, guest_os="same", full_os=False),
        "docker",
        3,
    ),
    "distribution image matrix in CI": (
        dict(os_testing=True, guest_os="same", full_os=False, kernel="default", startup="seconds", scaling="bursty"),
        "docker",
        3,
    ),
    "distribution tests that boot an init system": (dict(os_testing=True, guest_os="same", full_os=True), "vm", None),
    "distribution test matrix with a full OS": (dict(os_testing=True, full_os=True, startup="minutes"), "vm", None),
    "testing against other kernels": (dict(os_testing=True, kernel="own-kernel", startup="minutes"), "vm", None),
    "testing on another OS family": (dict(os_testing=True, guest_os="different", full_os=False), "vm", None),
    # Kernel settings and host agents.
    "web tier tuning per-container network sysctls": (
        dict(kernel="namespaced-sysctls", architecture="microservices", scaling="elastic", isolation="standard"),
        "docker",
        3,
    ),
    "message broker raising its kernel.msg limits": (
        dict(kernel="namespaced-sysctls", isolation="standard", density="medium", startup="seconds"),
        "docker",
        3,
    ),
    "eBPF runtime-security agent on every node": (
        dict(kernel="host-kernel-access", untrusted_code=False, scaling="fixed", density="low"),
        "docker",
        None,
    ),
    "CNI dataplane agent loading eBPF programs": (
        dict(kernel="host-kernel-access", isolation="standard", startup="seconds", performance="critical"),
        "docker",
        None,
    ),
    "GPU driver installer on the nodes": (dict(kernel="host-kernel-access", isolation="high"), "docker", None),
    "kernel built from its own configuration": (dict(kernel="own-kernel", architecture="microservices"), "vm", None),
    # Tuned databases.
    "PostgreSQL tuned with huge pages and vm. sysctls": (
        dict(
            kernel="host-global-settings",
            performance="critical",
            isolation="standard",
            scaling="fixed",
            density="low",
            startup="minutes",
        ),
        "vm",
        3,
    ),
    "database with an I/O scheduler of its own and sensitive data": (
        dict(kernel="host-global-settings", isolation="high", performance="critical"),
        "vm",
        3,
    ),
    "database needing only SysV IPC limits": (
        dict(kernel="namespaced-sysctls", performance="critical", isolation="standard", deploy_frequency="weekly"),
        "docker",
        3,
    ),
    # A whole OS is an architectural need that convenience does not outvote.
    "legacy app needing a full OS": (dict(full_os=True, architecture="monolith", scaling="fixed"), "vm", None),
    "vendor appliance delivered as a whole OS image, scaled elastically": (
        dict(full_os=True, scaling="elastic", startup="seconds", density="medium", isolation="standard"),
        "vm",
        None,
    ),
    "full-OS appliance packed densely on a tight budget": (
        dict(full_os=True, scaling="bursty", startup="subsecond", density="high", resource_budget="tight"),
        "vm",
        None,
    ),
    # Rehosting an unchanged monolith.
    "legacy monolith rehosted unchanged": (
        dict(
            architecture="monolith",
            deploy_frequency="rare",
            scaling="fixed",
            startup="minutes",
            resource_budget="generous",
        ),
        "vm",
        3,
    ),
    "rehosted monolith with ordinary isolation on few hosts": (
        dict(
            architecture="monolith",
            deploy_frequency="rare",
            scaling="fixed",
            startup="minutes",
            resource_budget="generous",
            isolation="standard",
            untrusted_code=False,
            density="low",
        ),
        "vm",
        3,
    ),
    # One or two fields.
    "only: untrusted code": (dict(untrusted_code=True), "vm", None),
    "only: a whole OS": (dict(full_os=True), "vm", None),
    "only: a kernel of its own": (dict(kernel="own-kernel"), "vm", None),
    "only: a host agent": (dict(kernel="host-kernel-access"), "docker", None),
    "only: host-wide kernel settings": (dict(kernel="host-global-settings"), "vm", 3),
    "only: microservices": (dict(architecture="microservices"), "docker", 3),
    "only: bursty scaling": (dict(scaling="bursty"), "docker", 3),
    "only: high density": (dict(density="high"), "docker", 3),
    "only: high isolation": (dict(isolation="high"), "vm", 3),
    "only: a tight budget": (dict(resource_budget="tight"), "docker", 3),
    "two: microservices delivered continuously": (
        dict(architecture="microservices", deploy_frequency="continuous"),
        "docker",
        3,
    ),
    "two: high isolation on few hosts": (dict(isolation="high", density="low"), "vm", 3),
    "two: sub-second starts that scale with load": (dict(startup="subsecond", scaling="elastic"), "docker", 3),
}

# Cases experts split on, each with why; the pack must not claim more than 2 points either way.
CLOSE = {
    # Nothing stated is a reason for either option.
    "only: few instances a host": (dict(density="low"), "few instances a host is no reason for VMs"),
    "only: a generous budget": (dict(resource_budget="generous"), "affording a VM's overhead is no reason for one"),
    "only: per-container sysctls": (dict(kernel="namespaced-sysctls"), "fine in a container, no reason for one"),
    "only: OS testing": (dict(os_testing=True), "whether tests need VMs depends on the kernels they target"),
    "only: trusted code, no full OS": (dict(untrusted_code=False, full_os=False), "absences of VM reasons only"),
    # Real reasons on both sides, or a reason that is weak on its own.
    "only: critical performance": (
        dict(performance="critical"),
        "CPU-bound code runs near native in a VM too; only I/O-heavy code gains much",
    ),
    "sensitive microservices": (
        dict(architecture="microservices", isolation="high"),
        "hardened or sandboxed containers and VMs both serve; experts split",
    ),
    "sub-second starts with high isolation": (
        dict(startup="subsecond", isolation="high"),
        "the fit is a microVM, which neither option is",
    ),
    "cache fleet that scales with load and needs host-wide settings": (
        dict(kernel="host-global-settings", scaling="elastic", startup="seconds", density="medium"),
        "a container host pool configured for it, or VMs: both are sound",
    ),
}



def _decide(pack, name: str, stated: dict):
    return evaluate(Workload(name=name, requirements=Requirements(**stated)), pack, counterfactuals=False)


@pytest.mark.parametrize("case", PANEL)
def test_clear_cases_come_out_right_with_a_real_margin(pack, case):
    """Each clear case gets the experts' answer, by a real margin or because the other option is vetoed."""
    stated, expected, margin = PANEL[case]
    decision = _decide(pack, case, stated)
    assert decision.recommendation == expected
    if margin is None:
        assert set(decision.vetoes) == {"docker" if expected == "vm" else "vm"}
    else:
        assert not decision.vetoes and decision.margin is not None and decision.margin >= margin


@pytest.mark.parametrize("case", CLOSE)
def test_close_cases_stay_close(pack, case):
    """A case experts split on vetoes nothing and ends within 2 points, so the advice claims no more than it has."""
    decision = _decide(pack, case, CLOSE[case][0])
    assert not decision.vetoes
    assert decision.status in ("tie", "no_rules_fired") or decision.margin <= 2


def _all_workloads_with(field: str, value):
    """Every workload stating ``field: value`` and up to three other fields."""
    others = [f for f in REQUIREMENT_FIELDS if f != field]
    for combo in itertools.combinations(others, 3):
        for values in itertools.product(*(allowed_values(f) for f in combo)):
            yield {field: value, **dict(zip(combo, values, strict=True))}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("untrusted_code", True),
        ("isolation", "strict"),
        ("guest_os", "different"),
        ("custom_kernel", True),
        ("kernel", "own-kernel"),
        ("full_os", True),
    ],
)
def test_security_kernel_and_whole_os_needs_always_win(pack, field, value):
    """Whatever else is stated: untrusted code, strict isolation, a foreign kernel or a whole OS rule containers out."""
    for stated in _all_workloads_with(field, value):
        decision = _decide(pack, "w", stated)
        assert "docker" in decision.vetoes, stated
        # Only a host agent, which a VM cannot be, leaves no option at all.
        expected = None if stated.get("kernel") == "host-kernel-access" else "vm"
        assert decision.recommendation == expected, stated


def test_a_host_agent_is_never_put_in_a_vm(pack):
    """Whatever else it states, an agent instrumenting the host's kernel never gets a VM (a kernel of its own)."""
    for stated in _all_workloads_with("kernel", "host-kernel-access"):
        decision = _decide(pack, "w", stated)
        assert "vm" in decision.vetoes and decision.recommendation != "vm", stated


# Values that say only that a cost or a risk does not matter here.
NEUTRAL = {
    "full_os": [False],
    "custom_kernel": [False],
    "kernel": ["default", "namespaced-sysctls"],
    "guest_os": ["same"],
    "untrusted_code": [False],
    "startup": ["minutes"],
    "scaling": ["fixed"],
    "deploy_frequency": ["rare", "weekly"],
    "performance": ["normal"],
    "density": ["low"],
    "resource_budget": ["normal", "generous"],
    "os_testing": [False],
}


def test_the_absence_of_a_cost_scores_for_no_one(pack):
    """A workload stating only that costs and risks do not matter gets no points for either option."""
    fields = list(NEUTRAL)
    for size in (1, 2, 3):
        for combo in itertools.combinations(fields, size):
            for values in itertools.product(*(NEUTRAL[f] for f in combo)):
                stated = dict(zip(combo, values, strict=True))
                assert _decide(pack, "w", stated).fired == [], stated


def test_custom_kernel_true_keeps_its_meaning_beside_the_kernel_field(pack):
    """custom_kernel: true still rules containers out whatever kernel says; with a host agent, nothing is left."""
    for kernel in allowed_values("kernel"):
        decision = _decide(pack, "w", dict(custom_kernel=True, kernel=kernel))
        assert decision.vetoes["docker"] == ["own-kernel"], kernel
        if kernel == "host-kernel-access":
            assert decision.status == "all_vetoed"
        else:
            assert decision.recommendation == "vm", kernel
    assert _decide(pack, "w", dict(custom_kernel=False, kernel="own-kernel")).vetoes == {"docker": ["own-kernel"]}


EXPECTED_EXAMPLES = {
    "payments-api": "docker",
    "event-workers": "docker",
    "edge-cache": "docker",
    "distro-package-tests": "docker",
    "node-security-agent": "docker",
    "tenant-sandbox": "vm",
    "windows-build-agents": "vm",
    "kernel-module-ci": "vm",
    "legacy-erp": "vm",
    "plugin-platform": "vm",
    "tuned-postgres": "vm",
}


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_examples_decide_as_an_expert_would(pack, path):
    """Each bundled example loads and gets the answer its description calls for, by at least 5 points or a veto."""
    workload = load_workload(path, pack.options)
    decision = evaluate(workload, pack, counterfactuals=False)
    assert decision.recommendation == EXPECTED_EXAMPLES[workload.name]
    assert decision.margin is None or decision.margin >= 5


def _readme_workloads() -> list[Workload]:
    """The workload files shown in the README: its YAML blocks that have requirements."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```yaml\n(.*?)^```", readme, flags=re.S | re.M):
        doc = yamlfile.parse(block, "README.md")
        if isinstance(doc.data, dict) and "requirements" in doc.data:
            found.append(workload_from_document(doc))
    return found


def test_readme_workloads_load_and_decide(pack):
    """Every workload file the README shows loads with the current model and gets a recommendation."""
    workloads = _readme_workloads()
    assert len(workloads) >= 2
    for workload in workloads:
        assert evaluate(workload, pack).recommendation == "docker", workload.name


def test_readme_documents_every_kernel_choice():
    """The README's rules section names each value of the kernel requirement."""
    rules = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Rules\n")[1].split("\n## ")[0]
    for value in allowed_values("kernel"):
        assert f"`{value}`" in rules, value


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("payments-api", "payments-api"),
        ("Payments API (v2)", "payments-api-v2"),
        ("<script>alert(1)</script>; rm -rf /", "script-alert-1-script-rm-rf"),
        ("Запуск", "workload"),
        ("x", "workload"),
    ],
)
def test_docker_next_steps_are_the_workloads_own(pack, name, slug):
    """Docker's next steps name the workload as Docker and a shell accept it, pin its image and open no shell in it."""
    decision = evaluate(Workload(name=name, requirements=Requirements(architecture="microservices")), pack)
    commands = [step["command"] for step in decision.option("docker").next_steps if "command" in step]
    assert f"docker run -d --name {slug} registry.example.com/{slug}:1.0.0" in commands
    assert f"docker stop {slug} && docker rm {slug}" in commands
    assert not any("{workload}" in c or ":latest" in c or "docker exec" in c for c in commands)
    labelled = [s for s in decision.option("docker").next_steps if "S6" in s.get("sources", [])]
    assert labelled and all("the card's" in s["text"] for s in labelled)
