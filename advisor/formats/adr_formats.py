"""Renderers of an Architecture Decision Record: MADR 4.0 and Nygard's adr-tools format."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..validation import format_value
from . import RenderOptions, register

if TYPE_CHECKING:
    from ..record import Draft


def _clause(sentence: str, names: set[str]) -> str:
    """A rule's reason made to follow "because": its first letter lowered unless it starts a name."""
    word = re.match(r"[A-Za-z]+", sentence)
    if not word or word.group(0) in names or (len(word.group(0)) > 1 and not word.group(0)[1:].islower()):
        return sentence
    return sentence[0].lower() + sentence[1:]


def adr_context(draft: Draft, options: RenderOptions) -> dict[str, Any]:
    """What every ADR template is given: the report context of the decision, and the record's own facts."""
    from .decision_formats import report_context

    context = report_context(draft.decision, options)
    decision = context["decision"]
    fields = decision["fields"]
    names = {w for o in draft.decision.options for w in o.title.split() if w[:1].isupper()}
    for rule in decision["fired"]:
        rule["clause"] = _clause(rule["because"], names)
    rules = context["rules"]
    views = [
        {
            **o,
            "good": [rules[r] for r in context["ranking"][o["id"]]["pros"]],
            "bad": [rules[r] for r in context["ranking"][o["id"]]["cons"]],
            "vetoed_by": context["ranking"][o["id"]]["vetoed_by"],
        }
        for o in decision["options"]
    ]
    chosen = next((v for v in views if v["id"] == decision["recommendation"]), None)
    drivers = [
        {
            "field": name,
            "title": fields[name]["title"],
            "value": value,
            "label": fields[name]["choices"].get(format_value(value), ""),
            "is_bool": isinstance(value, bool),
        }
        for name, value in decision["requirements"].items()
    ]
    context.update(
        adr={
            "number": draft.number,
            "id": f"{draft.number:04d}",
            "title": draft.title,
            "status": draft.status,
            "date": draft.date,
            "file": draft.file,
            "workload_path": draft.workload_path,
            "check_command": draft.check_command
            or (f"advisor check {_shell_word(draft.workload_path)}" if draft.workload_path else None),
            "check": vars(draft.check) if draft.check else None,
            "supersedes": (
                {"number": s.number, "file": s.file, "slug": s.slug, "title": s.title}
                if (s := draft.supersedes)
                else None
            ),
        },
        drivers=drivers,
        unstated=[fields[name]["title"] for name in decision["unspecified"]],
        option_views=views,
        chosen=chosen,
        others=[v for v in views if chosen is None or v["id"] != chosen["id"]],
    )
    return context


def _shell_word(text: str) -> str:
    """``text`` quoted for a POSIX shell when it needs to be."""
    if re.fullmatch(r"[A-Za-z0-9_./@%+=:,-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _render(template: str, draft: Draft, options: RenderOptions) -> str:
    from .templating import render_either

    return render_either(template, adr_context(draft, options), options.template, lang=options.lang)


@register("adr", "madr", "MADR 4.0, with the Status and Date bullets log4brains reads")
def render_madr(draft: Draft, options: RenderOptions) -> str:
    return _render("adr-madr.md.j2", draft, options)


@register("adr", "nygard", "Michael Nygard's format, as adr-tools writes and reads it")
def render_nygard(draft: Draft, options: RenderOptions) -> str:
    return _render("adr-nygard.md.j2", draft, options)
