"""The workload model: what a team states about its workload, and how it is loaded.

Each requirement's title, help text, choices and dimension are defined here once; the
questionnaire, the JSON Schema and the docs are derived from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from . import yamlfile
from .errors import InputError
from .validation import Wording, first_error, format_value, shown, suggest

__all__ = ["format_value", "suggest"]  # shared with the other loaders and the templates

def _req(title: str, help: str, dimension: str, choices: dict[str, str] | None = None) -> Any:
    extra: dict[str, Any] = {"dimension": dimension}
    if choices:
        extra["choices"] = choices
    return Field(default=None, title=title, description=help, json_schema_extra=extra)


KernelNeed = Literal["default", "namespaced-sysctls", "host-kernel-access", "host-global-settings", "own-kernel"]


class Requirements(BaseModel):
    """What the workload needs; every field optional, an omitted one states nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    architecture: Literal["monolith", "microservices"] | None = _req(
        "Architecture",
        "How the application is built: one deployable unit, or many small services.",
        "architecture",
        {"monolith": "one deployable unit", "microservices": "many small, separately deployed services"},
    )
    full_os: StrictBool | None = _req(
        "Needs a full OS",
        "Needs a whole operating system of its own: an init system, many daemons, OS-level configuration.",
        "architecture",
    )
    custom_kernel: StrictBool | None = _req(
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
    untrusted_code: StrictBool | None = _req(
        "Runs untrusted code",
        "Runs code from tenants or third parties it does not trust.",
        "isolation",
    )
    untrusted_input: StrictBool | None = _req(
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
    os_testing: StrictBool | None = _req(
        "OS testing",
        "Its purpose is testing across OS versions, kernels or distributions.",
        "use_case",
    )

    def stated(self) -> dict[str, str | bool]:
        """The requirements the workload states, in model order."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def unspecified(self) -> list[str]:
        """The requirement fields the workload leaves out, in model order."""
        return [k for k, v in self.__dict__.items() if v is None]


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


class Workload(BaseModel):
    """A workload file: a name, what the team declared, and its requirements."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: StrictStr = Field(min_length=1, max_length=200, title="Name", description="The workload's name.")
    description: StrictStr | None = Field(
        default=None, max_length=10_000, title="Description", description="What the workload is."
    )
    declared: StrictStr | None = Field(
        default=None,
        title="Declared platform",
        description="The option the team runs or plans to run (an option id of the rule pack).",
    )
    requirements: Requirements = Field(default_factory=Requirements, title="Requirements")


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
    for name, info in Requirements.model_fields.items():
        extra = info.json_schema_extra or {}
        is_bool = allowed_values(name) == (True, False)
        if is_bool:
            choices: dict[Any, str] = {True: "yes", False: "no"}
        else:
            choices = dict(extra["choices"])
        specs.append(FieldSpec(name, info.title or name, info.description or "", extra["dimension"], choices, is_bool))
    return specs


def allowed_values(field: str) -> tuple[Any, ...]:
    """The values a requirement field accepts."""
    info = Requirements.model_fields[field]
    for arg in get_args(info.annotation):
        if get_origin(arg) is Literal:
            return get_args(arg)
    return (True, False)


REQUIREMENT_FIELDS: tuple[str, ...] = tuple(Requirements.model_fields)


_WORDING = Wording(noun="field", path_names_key=True)


def load_workload(path: str | Path, options: Iterable[str] | None = None) -> Workload:
    """Load a workload file (YAML or JSON; ``-`` is stdin).

    With ``options``, ``declared`` must name one of them. Every problem raises
    :class:`InputError` naming the file, the line and the field.
    """
    return workload_from_document(yamlfile.load(path, InputError), options)


def workload_from_document(doc: yamlfile.Document, options: Iterable[str] | None = None) -> Workload:
    """Validate a parsed document as a :class:`Workload`."""
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            f"expected a mapping of workload fields, got {yamlfile.describe(data)}",
            path=doc.source,
            line=doc.line_of(()),
        )
    try:
        workload = Workload.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, doc, Workload, _WORDING, InputError) from None
    if options is not None and workload.declared is not None:
        options = list(options)
        if workload.declared not in options:
            raise InputError(
                f"'{shown(workload.declared)}' is not an option; choose one of {', '.join(options)}"
                + suggest(workload.declared, options),
                path=doc.source,
                line=doc.line_of(("declared",)),
                field="declared",
            )
    return workload


def workload_schema(options: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON Schema of the workload file; with ``options`` (id: title), ``declared`` must
    name one of them, as the loader requires with a rule pack.

    Values are described with the keywords editors show: ``oneOf`` entries of ``const``
    and ``description`` (yaml-language-server, JSON Schema tools) and
    ``markdownEnumDescriptions`` beside ``enum`` (VS Code).
    """
    schema = Workload.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://advisor.invalid/schemas/workload.json"
    properties = schema["$defs"]["Requirements"]["properties"]
    for name, prop in properties.items():
        choices = prop.pop("choices", None)
        if choices is None:
            choices = {True: "yes", False: "no"}
        properties[name] = _described(prop, {value: choices[value] for value in allowed_values(name)})
    if options is not None:
        schema["properties"]["declared"] = _described(schema["properties"]["declared"], dict(options))
    return schema


def _described(prop: dict[str, Any], values: dict[Any, str]) -> dict[str, Any]:
    """An optional field's schema as its values, each with its description, or null."""
    kept = {k: v for k, v in prop.items() if k not in ("anyOf", "type", "enum")}
    return {
        **kept,
        "oneOf": [{"const": value, "description": text} for value, text in values.items()]
        + [{"type": "null", "description": "not stated"}],
        "enum": [*values, None],
        "markdownEnumDescriptions": [*values.values(), "not stated"],
    }
