"""The default pack's advice on workloads whose answer experts agree on."""

from __future__ import annotations

import itertools

import pytest

from advisor.decision import decide as evaluate
from advisor.workload import REQUIREMENT_FIELDS, Requirements, Workload, allowed_values, load_workload

from .conftest import EXAMPLES

# (requirements, expected option, smallest acceptable margin; None where the other is vetoed)
PANEL = {
    "untrusted tenant code under strict isolation": (dict(untrusted_code=True, isolation="strict"), "vm", None),
    "third-party CI jobs on shared runners": (
        dict(untrusted_code=True, startup="seconds", scaling="elastic"),
        "vm",
        None,
    ),
    "Windows services on Linux hosts": (dict(guest_os="different", startup="minutes"), "vm", None),
    "kernel-module testing": (dict(os_testing=True, custom_kernel=True), "vm", None),
    "distribution test matrix": (dict(os_testing=True, full_os=True, startup="minutes"), "vm", 10),
    "legacy app needing a full OS": (dict(full_os=True, architecture="monolith", scaling="fixed"), "vm", 5),
    "regulated workload needing strict separation": (dict(isolation="strict", architecture="monolith"), "vm", None),
    "elastic microservices": (dict(architecture="microservices", scaling="elastic", startup="seconds"), "docker", 6),
    "tight resource budget, dense": (dict(resource_budget="tight", density="high"), "docker", 6),
    "tight resource budget": (dict(resource_budget="tight", full_os=False), "docker", 3),
    "bursty trusted functions": (dict(scaling="bursty", startup="subsecond", untrusted_code=False), "docker", 8),
    "continuous delivery of a web API": (dict(deploy_frequency="continuous", startup="seconds"), "docker", 4),
    "near-native, dense, trusted": (dict(performance="critical", density="high", untrusted_code=False), "docker", 6),
    "microservices running hostile tenant code": (
        dict(architecture="microservices", untrusted_code=True, scaling="bursty", density="high", startup="subsecond"),
        "vm",
        None,
    ),
    "high isolation monolith on few hosts": (dict(isolation="high", density="low", untrusted_code=False), "vm", 4),
}


@pytest.mark.parametrize("case", PANEL)
def test_clear_cases_come_out_right_with_a_real_margin(pack, case):
    """Each clear case gets the experts' answer, by a real margin or because the other option is vetoed."""
    stated, expected, margin = PANEL[case]
    decision = evaluate(Workload(name=case, requirements=Requirements(**stated)), pack, counterfactuals=False)
    assert decision.recommendation == expected
    if margin is None:
        assert set(decision.vetoes) == {"docker" if expected == "vm" else "vm"}
    else:
        assert decision.margin is not None and decision.margin >= margin


def _all_workloads_with(field: str, value):
    """Every workload stating ``field: value`` and up to three other fields."""
    others = [f for f in REQUIREMENT_FIELDS if f != field]
    for combo in itertools.combinations(others, 3):
        for values in itertools.product(*(allowed_values(f) for f in combo)):
            yield {field: value, **dict(zip(combo, values, strict=True))}


@pytest.mark.parametrize(
    ("field", "value"),
    [("untrusted_code", True), ("isolation", "strict"), ("guest_os", "different"), ("custom_kernel", True)],
)
def test_security_and_kernel_needs_always_win(pack, field, value):
    """Whatever else a workload states, untrusted code, strict isolation or a foreign kernel rules containers out."""
    for stated in _all_workloads_with(field, value):
        decision = evaluate(Workload(name="w", requirements=Requirements(**stated)), pack, counterfactuals=False)
        assert decision.recommendation == "vm", stated


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.iterdir() if p.is_file()), ids=lambda p: p.name)
def test_examples_decide_as_an_expert_would(pack, path):
    """Each bundled example gets the answer its description calls for."""
    expected = {
        "payments-api": "docker",
        "event-workers": "docker",
        "edge-cache": "docker",
        "tenant-sandbox": "vm",
        "windows-build-agents": "vm",
        "kernel-module-ci": "vm",
        "legacy-erp": "vm",
        "plugin-platform": "vm",
    }
    workload = load_workload(path, pack.options)
    decision = evaluate(workload, pack, counterfactuals=False)
    assert decision.recommendation == expected[workload.name]
    assert decision.margin is None or decision.margin >= 5
