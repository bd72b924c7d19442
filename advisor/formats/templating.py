"""The one place Jinja environments are built: the shipped templates, and users' own.

A user's template runs in Jinja's sandbox, so it cannot reach Python internals.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.sandbox import SecurityError

from .. import cache
from ..errors import TemplateError
from ..files import read_regular
from ..resources import templates_dir
from ..validation import format_value
from .sandbox import LIMITS, UserSandbox, render_limited

_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def _signed_points(value: Any) -> str:
    """An effect as shown: +3, -2 or veto."""
    if value == "veto":
        return "veto"
    return f"+{value}" if value > 0 else str(value)


_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


_WORD = re.compile(r"(\s*)(\S+)")


def _wrap(text: str, width: int = 80, indent: str = "", hang: str | None = None) -> str:
    """Text filled to ``width`` columns, each line starting with ``indent`` (later ones with
    ``hang`` when given). Spaces between words are kept (columns stay aligned) except where
    a line breaks, and colour codes take no column, so coloured text wraps like plain."""
    lines: list[str] = []
    prefix, line, used = indent, "", 0
    for gap, word in _WORD.findall(str(text)):
        gap = " " if "\n" in gap else gap
        size = len(_ANSI_CODE.sub("", word))
        if line and len(prefix) + used + len(gap) + size > width:
            lines.append(prefix + line)
            prefix, line, used = indent if hang is None else hang, "", 0
            gap = ""
        elif not line and not lines:
            gap = gap if gap.strip(" ") == "" and "\n" not in gap else ""
        line, used = line + gap + word, used + len(gap) + size
    if line:
        lines.append(prefix + line)
    return "\n".join(lines)


# Characters that can start Markdown (or raw HTML) markup; each is backslash-escaped, so a
# name like "<script>" or "a | b" shows as typed and cannot open a tag or split a table cell.
# An underscore between letters or digits cannot start emphasis, so it is left alone.
_MD_SPECIAL = re.compile(r"[\\`*\[\]<>|&~]|(?<![^\W_])_|_(?![^\W_])")


def markdown_text(text: Any) -> str:
    """Text made inert in Markdown: on one line, every markup character escaped."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(str(text).split()))


def markdown_code(text: Any) -> str:
    """Text as a Markdown code span, fenced with more backticks than it contains."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_block(text: Any, lang: str = "", indent: int = 0) -> str:
    """Text as a fenced Markdown code block (fence longer than any backtick run in it)."""
    lines = str(text).strip("\n").splitlines() or [""]
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    fence = "`" * max(3, longest + 1)
    pad = " " * indent
    return "\n".join([pad + fence + lang, *(pad + line if line else "" for line in lines), pad + fence])


def _number(value: float) -> str:
    """A coordinate without a needless fraction: 190, 12.5."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _configure(env: jinja2.Environment, color: bool) -> jinja2.Environment:
    def style(text: Any, *names: str) -> str:
        if not color or not names:
            return str(text)
        codes = ";".join(_ANSI[n] for n in names)
        return f"\x1b[{codes}m{text}\x1b[0m"

    env.filters.update(style=style, points=_signed_points, value=format_value, wrap=_wrap, num=_number)
    env.filters.update(md=markdown_text, mdcode=markdown_code, mdblock=markdown_block)
    # Escapers handed to the shared sentence macros, which are not autoescaped themselves.
    env.globals.update(
        escape_html=markupsafe.escape, escape_md=markdown_text, plain=lambda text: text
    )
    return env


def _translate(env: jinja2.Environment, lang: str) -> None:
    """Give the templates ``_()`` and ``ngettext()`` in ``lang`` (Jinja's i18n, new style: %(name)s placeholders)."""
    from .. import translation

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translation.gettext(lang, message),
        lambda singular, plural, n: translation.ngettext(lang, singular, plural, n),
        newstyle=True,
    )
    env.globals["lang"] = lang


# Which templates are autoescaped, by name: the shipped ones and users' alike.
_AUTOESCAPE = jinja2.select_autoescape(["html", "htm", "html.j2", "htm.j2", "svg"], default_for_string=False)
MAX_TEMPLATE_BYTES = 1024 * 1024


# How the shipped templates are read; compiled code depends on it, so it is part of the cache key.
_SHIPPED = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
_EXTENSIONS = ("jinja2.ext.do", "jinja2.ext.i18n")


class CompiledTemplates(jinja2.BytecodeCache):
    """The shipped templates' compiled code, kept in the user's cache (see :mod:`advisor.cache`).

    Jinja checks each entry against a hash of the template's source, so an edited template
    is compiled afresh; an entry that cannot be read is compiled afresh too. Jinja folds
    filters of constants while it compiles (a constant styled in colour becomes its escape
    codes), so the code is kept apart for each colour setting and language.
    """

    def __init__(self, color: bool, lang: str) -> None:
        self.variant = f"color={color} lang={lang}"

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        try:
            code = cache.code_fingerprint()  # the filters folded into the code are advisor's
        except OSError:
            code = ""
        return cache.key(code, name, filename or "", repr(sorted(_SHIPPED.items())), repr(_EXTENSIONS), self.variant)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = cache.read("templates", bucket.key)
        if isinstance(data, bytes):
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # a corrupt entry is only a miss
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        cache.write("templates", bucket.key, bucket.bytecode_to_string())


@lru_cache(maxsize=8)
def environment(color: bool = False, lang: str = "en") -> jinja2.Environment:
    """The environment of the shipped templates (HTML ones autoescaped), writing in ``lang``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=_AUTOESCAPE,
        bytecode_cache=CompiledTemplates(color, lang) if cache.enabled() else None,
        **_SHIPPED,
    )
    env.add_extension("jinja2.ext.do")
    _translate(env, lang)
    return _configure(env, color)


def render_shipped(name: str, context: dict[str, Any], color: bool = False, lang: str = "en") -> str:
    """Render one of the shipped templates."""
    return environment(color, lang).get_template(name).render(**context)


def render_either(
    name: str, context: dict[str, Any], user_template: str | None, color: bool = False, lang: str = "en"
) -> str:
    """Render the user's template when one is given (sandboxed), else the shipped ``name``."""
    if user_template:
        return render_user(user_template, context, lang)
    return render_shipped(name, context, color=color, lang=lang)


def render_user(path: str, context: dict[str, Any], lang: str = "en") -> str:
    """Render a user's own template in the sandbox; every failure is a TemplateError.

    HTML templates are autoescaped by the same rule as the shipped ones (by name).
    """
    try:
        raw = read_regular(path, MAX_TEMPLATE_BYTES)
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"template is larger than {MAX_TEMPLATE_BYTES // 1024} KiB", path=path)
        source = raw.decode("utf-8")
    except FileNotFoundError:
        raise TemplateError("no such template", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read template: {exc}", path=path) from None
    env = UserSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=_AUTOESCAPE(Path(path).name),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _translate(env, lang)
    _configure(env, color=False)
    env.guard_filters()
    try:
        return render_limited(env.from_string(source), context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", path=path, line=exc.lineno) from None
    except SecurityError as exc:
        raise TemplateError(f"not allowed in a template: {exc}", path=path, line=_line(exc)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"undefined in template: {exc.message}", path=path, line=_line(exc)) from None
    except MemoryError as exc:
        raise TemplateError(f"the template ran out of memory ({LIMITS})", path=path, line=_line(exc)) from None
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
