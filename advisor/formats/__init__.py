"""One registry of output formats; each format is one renderer of one kind of result.

Renderers are registered by their modules as imported. A kind's modules are imported the
first time its formats are asked for, so a command imports only its own renderers (and
they import jinja2 only when they render, so listing formats for ``--help`` stays cheap).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import AdvisorError, visible


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may be told besides the result itself."""

    color: bool = False
    date: str | None = None
    template: str | None = None
    width: int = 80  # columns of the text view
    lang: str = "en"  # the language of the wording (en or ru)
    timestamp: str | None = None
    # The repository root and the working folder (absolute, with forward slashes), so
    # formats that locate files (SARIF) can make paths relative to the root.
    root: str | None = None
    cwd: str | None = None
    # Where relative links in the output start from: the current folder as seen from the
    # output file's folder ("" when they are the same, or on standard output).
    link_base: str = ""


@dataclass(frozen=True)
class Renderer:
    """One output format for one kind of result; ``stream``, when given, yields the text in
    pieces (``render`` joins them), so a large result is written without being held whole."""

    subject: str
    name: str
    summary: str
    render: Callable[[Any, RenderOptions], str]
    stream: Callable[[Any, RenderOptions], Iterable[str]] | None = None
    module: str = ""  # the module that registered it


_REGISTRY: dict[str, dict[str, Renderer]] = {}

# The modules that register each kind's formats; a kind's formats are listed (--help) in
# this order of modules, whichever was imported first, then in the order each registers them.
MODULES: dict[str, tuple[str, ...]] = {
    "decision": ("decision_formats",),
    "comparison": ("comparison_formats",),
    "adr": ("adr_formats",),
    "check": ("check_formats", "check_formats_ci", "check_formats_page"),
    "analysis": ("analysis_formats",),
    "rules": ("rules_formats",),
    "packs": ("rules_formats",),
}


def _formats(subject: str) -> dict[str, Renderer]:
    """The registered formats of a kind of result, its modules imported first."""
    order = [f"{__name__}.{module}" for module in MODULES.get(subject, ())]
    for module in order:
        importlib.import_module(module)
    known = _REGISTRY.get(subject, {})
    rank = {module: i for i, module in enumerate(order)}
    return dict(sorted(known.items(), key=lambda item: rank.get(item[1].module, len(order))))


def register(subject: str, name: str, summary: str) -> Callable:
    """Register the decorated function as the ``name`` format of ``subject`` results."""

    def decorate(func: Callable[[Any, RenderOptions], str]) -> Callable[[Any, RenderOptions], str]:
        _REGISTRY.setdefault(subject, {})[name] = Renderer(subject, name, summary, func, module=func.__module__)
        return func

    return decorate


def register_stream(subject: str, name: str, summary: str) -> Callable:
    """Register the decorated generator of text pieces as the ``name`` format of ``subject`` results."""

    def decorate(func: Callable[[Any, RenderOptions], Iterable[str]]) -> Callable[[Any, RenderOptions], Iterable[str]]:
        def whole(result: Any, options: RenderOptions) -> str:
            return "".join(func(result, options))

        _REGISTRY.setdefault(subject, {})[name] = Renderer(subject, name, summary, whole, func, module=func.__module__)
        return func

    return decorate


def names(subject: str) -> list[str]:
    """The format names registered for a kind of result, in the order they are listed (MODULES)."""
    return list(_formats(subject))


def renderer(subject: str, name: str) -> Renderer:
    """The renderer of a format; an unknown format is an error, never a fallback."""
    known = _formats(subject)
    if name not in known:
        raise AdvisorError(f"unknown format '{name}'; choose one of {', '.join(known)}")
    return known[name]


# JSON escapes C0 controls itself; DEL and C1 controls are escaped too (\u009b), so JSON
# shown on a terminal cannot act on it, and it still reads back to the same text.
DEL_C1 = re.compile("[\x7f-\x9f]")


# Lone surrogates (a file name that is not UTF-8) cannot be encoded raw; escaped, they read back exactly.
JSON_ESCAPED = "[\x7f-\x9f\ud800-\udfff]"  # compiled only for JSON that is not plain ASCII


def to_json(data: Any) -> str:
    """Deterministic, readable JSON with a final newline, with no control character or lone surrogate left raw."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if text.isascii() and "\x7f" not in text:
        return text + "\n"
    return re.sub(JSON_ESCAPED, lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


def inert(value: Any) -> Any:
    """Plain data or a record with every control character in its strings shown as an escape (\\x1b).

    Renderers pass user text (workload names, descriptions, pack wording) through this, so
    no output can carry an escape sequence to a terminal.
    """
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {k: inert(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(inert(v) for v in value)
    init = getattr(type(value), "__record_init__", None)
    if init is not None:  # a record (advisor.records): the same record, its text made inert
        return type(value)(**{name: inert(getattr(value, name)) for name, _, _ in init})
    return value


def render(subject: str, name: str, result: Any, options: RenderOptions | None = None) -> str:
    """Render a result in a registered format."""
    return renderer(subject, name).render(result, options or RenderOptions())


def render_pieces(subject: str, name: str, result: Any, options: RenderOptions | None = None) -> Iterable[str]:
    """Render a result in a registered format, as pieces of text to write one after another."""
    found = renderer(subject, name)
    options = options or RenderOptions()
    return found.stream(result, options) if found.stream else (found.render(result, options),)

