"""The one place Jinja environments are built: the shipped templates, and users' own.

A user's template runs in Jinja's sandbox, so it cannot reach Python internals.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import TemplateError
from ..resources import templates_dir
from ..workload import DIMENSIONS, format_value

_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def _points(value: Any) -> str:
    if value == "veto":
        return "veto"
    return f"+{value}" if value > 0 else str(value)


def _wrap(text: str, width: int = 88, indent: str = "") -> str:
    return textwrap.fill(str(text), width=width, initial_indent=indent, subsequent_indent=indent)


def _configure(env: jinja2.Environment, color: bool) -> jinja2.Environment:
    def style(text: Any, *names: str) -> str:
        if not color or not names:
            return str(text)
        codes = ";".join(_ANSI[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    env.filters.update(style=style, points=_points, value=format_value, wrap=_wrap)
    env.globals.update(dimensions=DIMENSIONS)
    return env


@lru_cache(maxsize=4)
def environment(color: bool = False) -> jinja2.Environment:
    """The environment of the shipped templates (HTML ones autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "html.j2", "svg"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return _configure(env, color)


def render_shipped(name: str, context: dict[str, Any], color: bool = False) -> str:
    """Render one of the shipped templates."""
    return environment(color).get_template(name).render(**context)


def render_user(path: str, context: dict[str, Any]) -> str:
    """Render a user's own template in the sandbox; every failure is a TemplateError."""
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError("no such template", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template: {exc}", path=path) from None
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=file.suffix in (".html", ".htm"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _configure(env, color=False)
    try:
        return env.from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", path=path, line=exc.lineno) from None
    except SecurityError as exc:
        raise TemplateError(f"not allowed in a template: {exc}", path=path, line=_line(exc)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"undefined in template: {exc.message}", path=path, line=_line(exc)) from None
    except Exception as exc:  # a user's template can fail in any way; report it, never a traceback
        raise TemplateError(f"template failed: {exc}", path=path, line=_line(exc)) from None


def _line(exc: BaseException) -> int | None:
    """The template line a render-time error came from, read off its traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
