"""The workload model: what a team states about its workload, and how it is loaded.

Each requirement's title, help text, choices and dimension are defined here once; the
questionnaire, the JSON Schema and the docs are derived from them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from . import yamlfile
from .errors import InputError
from .yamlfile import format_value

# The source document's dimensions, in its order; requirement fields are grouped by them.
DIMENSIONS: dict[str, str] = {
    "architecture": "Architecture",
    "isolation": "Isolation and security",
    "startup": "Startup and scaling",
    "performance": "Performance",
    "resources": "Resource use",
    "use_case": "Use case",
}


def _req(title: str, help: str, dimension: str, choices: dict[str, str] | None = None) -> Any:
    extra: dict[str, Any] = {"dimension": dimension}
    if choices:
        extra["choices"] = choices
    return Field(default=None, title=title, description=help, json_schema_extra=extra)


class Requirements(BaseModel):
    """What the workload needs; every field optional, an omitted one states nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
        "Needs its own kernel, kernel modules or kernel settings that differ from the host's.",
        "architecture",
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


class Workload(BaseModel):
    """A workload file: a name, what the team declared, and its requirements."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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


def suggest(name: str, known: Iterable[str]) -> str:
    """A ' (did you mean X?)' hint for a misspelt name, or ''."""
    close = difflib.get_close_matches(str(name), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
    for where, mapping in (((), data), (("requirements",), data.get("requirements"))):
        if isinstance(mapping, dict):
            for key in mapping:
                if not isinstance(key, str):  # YAML reads `1:` or `true:` as a number or a boolean
                    raise InputError(
                        f"unknown field '{format_value(key)}'",
                        path=doc.source,
                        line=doc.line_of((*where, str(key) if not isinstance(key, bool) else format_value(key))),
                        field=".".join(where) or None,
                    )
    try:
        workload = Workload.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, doc) from None
    if options is not None and workload.declared is not None:
        options = list(options)
        if workload.declared not in options:
            raise InputError(
                f"'{workload.declared}' is not an option; choose one of {', '.join(options)}"
                + suggest(workload.declared, options),
                path=doc.source,
                line=doc.line_of(("declared",)),
                field="declared",
            )
    return workload


def _translate(exc: ValidationError, doc: yamlfile.Document) -> InputError:
    """The first validation error as one clear line."""
    errors = exc.errors()
    err = errors[0]
    loc = tuple(err["loc"])
    field = ".".join(str(p) for p in loc)
    kind = err["type"]
    value = err.get("input")
    leaf = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        known = REQUIREMENT_FIELDS if loc[:1] == ("requirements",) else tuple(Workload.model_fields)
        message = f"unknown field '{leaf}'{suggest(leaf, known)}"
        field = ".".join(str(p) for p in loc[:-1])
    elif kind == "missing":
        message = "required field is missing"
    elif kind == "literal_error":
        allowed = ", ".join(format_value(v) for v in allowed_values(leaf))
        message = f"'{format_value(value)}' is not allowed; choose one of {allowed}"
    elif kind == "bool_type":
        message = f"expected true or false, got {yamlfile.describe(value)} '{format_value(value)}'"
    elif kind in ("string_type", "model_type", "dict_type"):
        wanted = "a string" if kind == "string_type" else "a mapping"
        message = f"expected {wanted}, got {yamlfile.describe(value)}"
    elif kind == "string_too_short":
        message = "must not be empty"
    else:
        message = err["msg"]
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InputError(message, path=doc.source, line=doc.line_of(loc), field=field or None)


def workload_schema() -> dict[str, Any]:
    """The JSON Schema of the workload file."""
    schema = Workload.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://advisor.invalid/schemas/workload.json"
    return schema
