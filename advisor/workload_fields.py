"""The workload's records: what a team states about its workload.

Each requirement's title, help text, choices and dimension are defined here once; the
questionnaire, the JSON Schema, the pydantic model (:mod:`advisor.workload_model`) and
the docs are derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from .records import record
from .validation import format_value

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000


def _req(title: str, help: str, dimension: str, choices: dict[str, str] | None = None) -> Any:
    extra: dict[str, Any] = {"dimension": dimension}
    if choices:
        extra["choices"] = choices
    return field(default=None, metadata={"title": title, "description": help, "json_schema_extra": extra})


KernelNeed = Literal["default", "namespaced-sysctls", "host-kernel-access", "host-global-settings", "own-kernel"]


@record
class Requirements:
    """What the workload needs; every field optional, an omitted one states nothing."""

    architecture: Literal["monolith", "microservices"] | None = _req(
        "Architecture",
        "How the application is built: one deployable unit, or many small services.",
        "architecture",
        {"monolith": "one deployable unit", "microservices": "many small, separately deployed services"},
    )
    full_os: bool | None = _req(
        "Needs a full OS",
        "Needs a whole operating system of its own: an init system, many daemons, OS-level configuration.",
        "architecture",
    )
    custom_kernel: bool | None = _req(
        "Needs its own kernel",
        "Needs its own kernel or kernel modules the host's kernel does not have. Read as a kernel "
        "of its own; kernel settings belong to the kernel requirement, which tells per-container "
        "settings, host agents and host-wide settings apart.",
        "architecture",
    )
    # A refinement of custom_kernel, added beside it so that published files keep their
    # meaning: custom_kernel: true still says "a kernel of its own" whatever this says.
    kernel: KernelNeed | None = _req(
        "Kernel requirement",
        "What it needs of the kernel. Per-container sysctls are set with docker run --sysctl or pod "
        "sysctls; a host agent (Falco, Cilium, a GPU driver installer, not a workload that merely uses "
        "a GPU) loads eBPF programs or kernel modules into the host's own kernel on purpose; host-wide "
        "settings hold for everything on the host. More precise than custom_kernel; with "
        "custom_kernel: true stated as well, that still counts as a kernel of its own.",
        "architecture",
        {
            "default": "nothing special: the host's kernel as it is",
            "namespaced-sysctls": "per-container sysctls only: net.*, kernel.shm*, kernel.msg*, kernel.sem, "
            "fs.mqueue.*",
            "host-kernel-access": "instruments the host's own kernel: eBPF, kernel modules (a host agent)",
            "host-global-settings": "settings global to the host: vm.* sysctls, huge pages, I/O scheduler",
            "own-kernel": "a kernel of its own: another version or build, its own modules",
        },
    )
    guest_os: Literal["same", "different"] | None = _req(
        "Guest OS",
        "Whether it runs on the hosts' OS family and kernel, or needs another (Windows on Linux hosts).",
        "architecture",
        {"same": "the hosts' OS family and kernel", "different": "another OS family or kernel"},
    )
    syscalls: Literal["standard", "unusual"] | None = _req(
        "System calls",
        "Whether it uses only the common Linux system calls of language runtimes, or unusual ones.",
        "architecture",
        {
            "standard": "the common calls of ordinary language runtimes and libraries",
            "unusual": "rarely implemented calls or kernel interfaces (io_uring, raw devices, exotic ioctls)",
        },
    )
    isolation: Literal["standard", "high", "strict"] | None = _req(
        "Isolation",
        "How strongly it must be isolated from other workloads on the same host.",
        "isolation",
        {
            "standard": "ordinary separation between trusted applications",
            "high": "a breach of a neighbour must not reach it (sensitive data)",
            "strict": "hard multi-tenancy or regulatory separation; no shared attack surface",
        },
    )
    untrusted_code: bool | None = _req(
        "Runs untrusted code",
        "Runs code from tenants or third parties it does not trust.",
        "isolation",
    )
    untrusted_input: bool | None = _req(
        "Handles untrusted input",
        "Its own, trusted code parses input from untrusted sources: uploaded files, media, documents, scraped pages.",
        "isolation",
    )
    startup: Literal["minutes", "seconds", "subsecond"] | None = _req(
        "Startup",
        "The slowest acceptable start of a new instance.",
        "startup",
        {"minutes": "minutes are fine", "seconds": "within seconds", "subsecond": "in under a second"},
    )
    scaling: Literal["fixed", "elastic", "bursty"] | None = _req(
        "Scaling",
        "How the number of instances changes over time.",
        "startup",
        {
            "fixed": "a steady number of instances",
            "elastic": "grows and shrinks with load",
            "bursty": "sudden spikes of many new instances",
        },
    )
    deploy_frequency: Literal["rare", "weekly", "daily", "continuous"] | None = _req(
        "Deploy frequency",
        "How often new versions are deployed.",
        "startup",
        {
            "rare": "a few times a year",
            "weekly": "about once a week",
            "daily": "about once a day",
            "continuous": "many times a day",
        },
    )
    performance: Literal["normal", "critical"] | None = _req(
        "Performance",
        "Whether near-native CPU and I/O performance is critical.",
        "performance",
        {"normal": "ordinary performance needs", "critical": "near-native CPU and I/O is critical"},
    )
    io: Literal["light", "heavy"] | None = _req(
        "File and network I/O",
        "How much file and network I/O it does per unit of work.",
        "performance",
        {
            "light": "mostly computes; little file or network I/O",
            "heavy": "file- or network-bound (data stores, proxies, file servers)",
        },
    )
    density: Literal["low", "medium", "high"] | None = _req(
        "Density",
        "How many instances share one host.",
        "resources",
        {"low": "fewer than 10 instances a host", "medium": "10 to 100 a host", "high": "more than 100 a host"},
    )
    resource_budget: Literal["tight", "normal", "generous"] | None = _req(
        "Resource budget",
        "How much CPU, memory and disk can be spent beyond what the application itself uses.",
        "resources",
        {"tight": "every spare byte counts", "normal": "an ordinary budget", "generous": "overhead is affordable"},
    )
    os_testing: bool | None = _req(
        "OS testing",
        "Its purpose is testing across OS versions, kernels or distributions.",
        "use_case",
    )

    def __post_init__(self) -> None:
        for name in REQUIREMENT_FIELDS:  # built in code, not read: a file's values are validated before
            value, allowed = getattr(self, name), ALLOWED[name]
            if value is not None and (type(value) is not type(allowed[0]) or value not in allowed):
                choices = ", ".join(format_value(v) for v in allowed)
                raise ValueError(f"{name}: {format_value(value)!r} is not allowed; choose one of {choices}")

    def stated(self) -> dict[str, str | bool]:
        """The requirements the workload states, in model order."""
        return {k: v for k in REQUIREMENT_FIELDS if (v := getattr(self, k)) is not None}

    def unspecified(self) -> list[str]:
        """The requirement fields the workload leaves out, in model order."""
        return [k for k in REQUIREMENT_FIELDS if getattr(self, k) is None]


# The answer most workloads give, where one is clearly the ordinary case: the questionnaire's
# menus start on it (they never answer for the user). Fields with no such answer are absent.
USUAL_ANSWERS: dict[str, Any] = {
    "full_os": False,
    "custom_kernel": False,
    "guest_os": "same",
    "isolation": "standard",
    "untrusted_code": False,
    "performance": "normal",
    "resource_budget": "normal",
    "os_testing": False,
}


@record
class Workload:
    """A workload file: a name, what the team declared, and its requirements."""

    name: str = field(metadata={"title": "Name", "description": "The workload's name."})
    description: str | None = field(
        default=None, metadata={"title": "Description", "description": "What the workload is."}
    )
    declared: str | None = field(
        default=None,
        metadata={
            "title": "Declared platform",
            "description": "The option the team runs or plans to run (an option id of the rule pack).",
        },
    )
    requirements: Requirements = field(default_factory=Requirements, metadata={"title": "Requirements"})

    def __post_init__(self) -> None:  # the limits of the file's fields, for a workload built in code
        name, description = self.name, self.description
        if not (isinstance(name, str) and 0 < len(name) <= NAME_MAX_LENGTH):
            raise ValueError(f"name: a string of 1 to {NAME_MAX_LENGTH} characters, got {name!r:.80}")
        if not (description is None or (isinstance(description, str) and len(description) <= DESCRIPTION_MAX_LENGTH)):
            raise ValueError(f"description: a string of at most {DESCRIPTION_MAX_LENGTH} characters, or None")
        if not (self.declared is None or isinstance(self.declared, str)):
            raise ValueError(f"declared: an option id or None, got {self.declared!r:.80}")
        if not isinstance(self.requirements, Requirements):
            raise ValueError(f"requirements: a Requirements, got {type(self.requirements).__name__}")


@dataclass(frozen=True)
class FieldSpec:
    """One requirement field as the questionnaire and docs see it."""

    name: str
    title: str
    help: str
    dimension: str
    choices: dict[Any, str]
    is_bool: bool


def field_specs() -> list[FieldSpec]:
    """Every requirement field, in model order, with its title, help, choices and dimension."""
    specs = []
    for spec in fields(Requirements):
        meta = spec.metadata
        extra = meta["json_schema_extra"]
        is_bool = ALLOWED[spec.name] == (True, False)
        choices: dict[Any, str] = {True: "yes", False: "no"} if is_bool else dict(extra["choices"])
        specs.append(FieldSpec(spec.name, meta["title"], meta["description"], extra["dimension"], choices, is_bool))
    return specs


def _allowed(spec: Any) -> tuple[Any, ...]:
    choices = spec.metadata["json_schema_extra"].get("choices")
    return tuple(choices) if choices else (True, False)


# Each requirement field's values: its choices, in order (a yes/no field's are True and False).
# They are the values of its annotation, which the pydantic model validates with; a test
# holds the two together.
ALLOWED: dict[str, tuple[Any, ...]] = {spec.name: _allowed(spec) for spec in fields(Requirements)}
REQUIREMENT_FIELDS: tuple[str, ...] = tuple(ALLOWED)


def allowed_values(field: str) -> tuple[Any, ...]:
    """The values a requirement field accepts."""
    return ALLOWED[field]
