"""advisor: should this workload run in containers, in virtual machines, or on something in between?

The library behind the ``advisor`` command. Load a rule pack and a workload, decide,
and render or check the decision::

    from advisor import decide, load_rules, render

    decision = decide("workload.yaml", load_rules())
    print(render("decision", "md", decision))

The names below are imported when first used, so that ``import advisor`` (and
``advisor --help``) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "decide": "api",
    "load_rules": "api",
    "report_date": "dates",
    "source_date_epoch": "dates",
    "today": "dates",
    "run_check": "check",
    "check_files": "check",
    "CheckResult": "check",
    "WorkloadVerdict": "check",
    "Decision": "decision_model",
    "decision_from_json": "decision_model",
    "build_decision": "decision",
    "AdvisorError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "PolicyError": "errors",
    "RulePackError": "errors",
    "TemplateError": "errors",
    "RenderOptions": "formats",
    "render": "formats",
    "RulePack": "rulepack",
    "load_pack": "rulepack",
    "Requirements": "workload",
    "Workload": "workload",
    "load_workload": "workload",
    "workload_from_data": "workload",
}

__all__ = ["__version__", *sorted(_PUBLIC)]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
