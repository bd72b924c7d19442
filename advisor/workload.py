"""The workload: its records (:mod:`advisor.workload_fields`), and how a file becomes one.

A file that is plainly valid becomes a record directly; anything else is judged by the
pydantic model built from the same fields (:mod:`advisor.workload_model`), which gives
each problem its file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import yamlfile
from .errors import InputError
from .validation import format_value, shown, suggest
from .workload_fields import (
    REQUIREMENT_FIELDS,
    USUAL_ANSWERS,
    FieldSpec,
    Requirements,
    Workload,
    allowed_values,
    field_specs,
)

__all__ = [  # the records, and helpers shared with the other loaders and the templates
    "REQUIREMENT_FIELDS",
    "USUAL_ANSWERS",
    "FieldSpec",
    "Requirements",
    "Workload",
    "allowed_values",
    "field_specs",
    "format_value",
    "load_workload",
    "plainly_valid",
    "suggest",
    "workload_from_data",
    "workload_from_document",
]


def load_workload(path: str | Path, options: Iterable[str] | None = None) -> Workload:
    """Load a workload file (YAML or JSON; ``-`` is stdin).

    With ``options``, ``declared`` must name one of them. Every problem raises
    :class:`InputError` naming the file, the line and the field.
    """
    return workload_from_document(yamlfile.load(path, InputError), options)


def workload_from_data(data: Any, source: str = "<data>") -> Workload:
    """Validate plain data (a parsed workload file's) as a :class:`Workload`, as the loader does."""
    return workload_from_document(yamlfile.Document(data=data, source=source))


def workload_from_document(doc: yamlfile.Document, options: Iterable[str] | None = None) -> Workload:
    """Validate a parsed document as a :class:`Workload`."""
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            f"expected a mapping of workload fields, got {yamlfile.describe(data)}",
            path=doc.source,
            line=doc.line_of(()),
        )
    workload = plainly_valid(data)
    if workload is None:
        from .workload_model import validated

        workload = validated(doc)
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


_TOP = frozenset(Workload.__dataclass_fields__)


def _text(value: Any) -> bool:
    """Whether ``value`` is a plain string the model measures: one with a lone surrogate
    (from a JSON escape such as \\ud800) cannot be measured, so the model refuses it."""
    return type(value) is str and (value.isascii() or re.search("[\ud800-\udfff]", value) is None)


def plainly_valid(data: dict[Any, Any]) -> Workload | None:
    """The workload of ``data`` when it is valid in the plainest way (exact types, known keys,
    allowed values); None otherwise, for the model to judge: it never accepts what the model
    refuses, and gives what the model would."""
    name, description, declared = data.get("name"), data.get("description"), data.get("declared")
    requirements = data.get("requirements", {})
    if not (
        _TOP.issuperset(data)
        and _text(name)
        and (description is None or _text(description))
        and (declared is None or type(declared) is str)
        and type(requirements) is dict
    ):
        return None
    try:  # the records check the limits, the fields and their values as the model does
        stated = Requirements(**requirements)
        return Workload(name=name, description=description, declared=declared, requirements=stated)
    except (TypeError, ValueError):  # the model says what is wrong
        return None
