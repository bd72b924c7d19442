"""The sandbox users' templates run in: Jinja's immutable sandbox, with limits on size.

Jinja's sandbox keeps a template from Python's internals, and refuses huge ``range``\\s,
but not one line from building a string of gigabytes: ``'a'.ljust(10**9)``,
``'%0999999999d' | format(1)``, ``s ~ s`` doubled in a loop. Here every value a template
builds stays under :data:`MAX_SIZE` characters: an operation whose arguments say it
would build more (a width, a count, a format's field width) is refused before it runs,
the result of every other call, operator, filter and ``~`` is measured after it, and the
whole output is cut off at :data:`MAX_OUTPUT` characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum

MAX_SIZE = 1_000_000  # characters in one value (a list counts its items' characters)
MAX_OUTPUT = 10_000_000  # characters of a whole report
MAX_BITS = 100_000  # bits of an integer a power may build
LIMITS = f"a value may hold {MAX_SIZE:,} characters and the output {MAX_OUTPUT:,}"

_DIGITS = re.compile(r"\d+")


def size(value: Any, budget: int = MAX_SIZE) -> int:
    """About how many characters ``value`` takes when shown, counted only to just past ``budget``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return value.bit_length() * 3 // 10 + 1  # decimal digits, near enough
    if isinstance(value, list | tuple | set | frozenset | dict):
        total = 2
        for item in value.items() if isinstance(value, dict) else value:
            total += 2 + size(item, budget - total)
            if total > budget:
                break
        return total
    return 1


def _widest(fmt: str) -> int:
    """The largest number written in a format string (a field width or precision)."""
    runs = _DIGITS.findall(fmt)
    return max((int(r) if len(r) <= 9 else 10**9 for r in runs), default=0)


def _format_estimate(fmt: str, args: Any, marker: str) -> int:
    """A bound on what ``fmt`` formatted with ``args`` takes: each field at its widest."""
    values = list(args.values()) if isinstance(args, dict) else list(args) if isinstance(args, tuple) else [args]
    largest = max((size(v) for v in values), default=0)
    stars = max((v for v in values if isinstance(v, int) and not isinstance(v, bool)), default=0)
    return len(fmt) + fmt.count(marker) * (largest + _widest(fmt) + max(stars, 0))


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _replace_estimate(text: Any, old: Any, new: Any) -> int:
    text, old, new = str(text), str(old), str(new)
    return len(text) + (text.count(old) if old else len(text) + 1) * len(new)


def _str_estimate(text: str, name: str, args: tuple, kwargs: dict) -> int:
    """A bound on the length of what the str method ``name`` builds, from its arguments."""
    first = args[0] if args else None
    if name in ("ljust", "rjust", "center", "zfill"):
        return max(len(text), _int(first))
    if name == "expandtabs":
        return len(text) + text.count("\t") * _int(kwargs.get("tabsize", first), 8)
    if name == "replace" and len(args) >= 2:
        return _replace_estimate(text, args[0], args[1])
    if name == "join" and isinstance(first, list | tuple):
        return size(first) + len(text) * len(first)
    if name == "translate" and isinstance(first, dict):
        return len(text) * max((size(v) for v in first.values()), default=1)
    if name in ("format", "format_map"):
        values = first if name == "format_map" else (*args, *kwargs.values())
        return _format_estimate(text, values if isinstance(values, dict | tuple) else (), "{")
    return 0


def _filter_estimate(name: str, value: Any, args: tuple, kwargs: dict) -> int:
    """A bound on the length of what the filter ``name`` builds from ``value``, from its arguments."""
    text = value if isinstance(value, str) else ""
    first = args[0] if args else None
    if name == "center":
        return max(len(text), _int(kwargs.get("width", first), 80))
    if name == "indent":
        width = kwargs.get("width", first)
        step = len(width) if isinstance(width, str) else _int(width, 4)
        return len(text) + (text.count("\n") + 1) * step
    if name == "wordwrap":
        width = max(_int(kwargs.get("width", first), 79), 1)
        wrap = kwargs.get("wrapstring", args[2] if len(args) > 2 else None) or "\n"
        return len(text) + (len(text) // width + 1) * len(str(wrap))
    if name == "wrap":  # advisor's own: (text, width, indent)
        width = max(_int(kwargs.get("width", first), 88), 1)
        indent = str(kwargs.get("indent", args[1] if len(args) > 1 else ""))
        return len(text) + (len(text) // width + 1) * (len(indent) + 1)
    if name == "mdblock":  # advisor's own: (text, lang, indent)
        return len(text) + (text.count("\n") + 2) * _int(kwargs.get("indent", args[1] if len(args) > 1 else 0))
    if name == "truncate":
        length = max(_int(kwargs.get("length", first), 255), 0)
        return min(len(text), length) + len(str(kwargs.get("end", args[2] if len(args) > 2 else "...")))
    if name == "format":
        return _format_estimate(text, kwargs or args, "%")
    if name == "replace" and len(args) >= 2:
        return _replace_estimate(value, args[0], args[1])
    if name == "join" and isinstance(value, list | tuple):
        return size(value) + len(str(kwargs.get("d", first or ""))) * len(value)
    return 0


def _refuse_over(estimate: int, what: str) -> None:
    if estimate > MAX_SIZE:
        raise SecurityError(f"{what} would be longer than {MAX_SIZE:,} characters")


def sized(value: Any) -> Any:
    """``value`` itself, when it is within :data:`MAX_SIZE`; else a SecurityError."""
    _refuse_over(size(value), "a value")
    return value


class _Generator(CodeGenerator):
    """Jinja's code generator, with every ``a ~ b`` measured (the sandbox does not see it)."""

    def visit_Concat(self, node: Any, frame: Any) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


def _guard_filter(name: str, func: Callable) -> Callable:
    """``func`` (the filter ``name``) refusing what would be too big, before and after it runs."""
    # Filters Jinja passes a context or environment to first keep that mark on the wrapper.
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        value, rest = args[skip] if len(args) > skip else None, args[skip + 1 :]
        if name == "join" and isinstance(value, Iterator):
            value = list(value)  # measured before it is joined
            args = (*args[:skip], value, *rest)
        _refuse_over(_filter_estimate(name, value, rest, kwargs), f"the result of '{name}'")
        return sized(func(*args, **kwargs))

    return guarded


class UserSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with every value kept under :data:`MAX_SIZE` characters."""

    code_generator_class = _Generator
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=sized, **options)

    def guard_filters(self) -> None:
        """Wrap every filter (call after adding one's own) in the size limits."""
        self.filters = {name: _guard_filter(name, func) for name, func in self.filters.items()}

    def sized(self, value: Any) -> Any:
        """Used by the generated code of ``~``."""
        return sized(value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(left.bit_length(), 1) * right > MAX_BITS:
                raise SecurityError(f"a power would have more than {MAX_BITS:,} bits")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and size(seq) * count > MAX_SIZE:
                    raise SecurityError(f"a repeated value would be longer than {MAX_SIZE:,}")
        if operator == "%" and isinstance(left, str):
            _refuse_over(_format_estimate(left, right, "%"), "a formatted string")
        return sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by the sandbox
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            name = getattr(target, "__name__", "")
            if name == "join" and args and isinstance(args[0], Iterator):
                args = (list(args[0]), *args[1:])
            _refuse_over(_str_estimate(owner, name, args, kwargs), f"the result of '{name}'")
        elif target is generate_lorem_ipsum:
            words = _int(kwargs.get("n", args[0] if args else 5), 5) * _int(kwargs.get("max", 100), 100)
            _refuse_over(words * 12, "the result of 'lipsum'")
        return sized(super().call(__context, __obj, *args, **kwargs))


def render_limited(template: Any, context: dict[str, Any]) -> str:
    """Render ``template``, stopping once the output passes :data:`MAX_OUTPUT` characters."""
    parts = []
    total = 0
    for part in template.generate(**context):
        total += len(part)
        if total > MAX_OUTPUT:
            raise SecurityError(f"the output would be longer than {MAX_OUTPUT:,} characters")
        parts.append(part)
    return "".join(parts)
