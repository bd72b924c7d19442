"""The languages advisor writes in, and its wording in each: English, and Russian from a catalogue.

Templates and field texts are written in English; ``reports/templates/i18n/ru.yaml``
maps each English sentence (a msgid, with ``%(name)s`` placeholders) to its Russian
translation, and each plural msgid to its three Russian forms (1 балл, 2 балла, 5 баллов).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from .errors import AdvisorError
from .resources import templates_dir

LANGUAGES = ("en", "ru")


def check_language(lang: str) -> str:
    """``lang`` when advisor writes it, else an error naming the languages it does."""
    if lang not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise AdvisorError(f"'{lang}' is not a language advisor writes; choose one of {choices}", field="--lang")
    return lang


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, Any]:
    """The translations of one language (empty for English, the language the templates are written in)."""
    if lang == "en":
        return {}
    path = templates_dir() / "i18n" / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data or {})


def plural_form(lang: str, n: int) -> int:
    """Which plural form a count takes: English one/other; Russian one/few/many."""
    n = abs(n)
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else 1


def gettext(lang: str, message: str) -> str:
    """``message`` in ``lang``; a message with no translation stays as written."""
    found = catalogue(lang).get(message)
    return found if isinstance(found, str) else message


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for a count of ``n`` in ``lang``."""
    forms = catalogue(lang).get(singular)
    if isinstance(forms, list):
        return forms[min(plural_form(lang, n), len(forms) - 1)]
    return (singular, plural)[plural_form("en", n)]


def describe_condition(condition: Any, lang: str = "en") -> str:
    """A rule's condition (in its written form, as ``Condition.to_data`` gives it) in words."""
    from .validation import format_value

    parts = []
    for key, wanted in condition.items():
        if key in ("all", "any"):
            joiner = gettext(lang, " and " if key == "all" else " or ")
            inner = [describe_condition(child, lang) for child in wanted]
            words = [f"({text})" if _compound(child) else text for child, text in zip(wanted, inner, strict=True)]
            parts.append((joiner.join(words), len(wanted) > 1 and key == "any"))
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        shown = gettext(lang, " or ").join(format_value(v) for v in values)
        parts.append((gettext(lang, "%(field)s is %(values)s") % {"field": key, "values": shown}, False))
    if len(parts) == 1:
        return parts[0][0]
    return gettext(lang, " and ").join(f"({text})" if bracket else text for text, bracket in parts)


def _compound(condition: Any) -> bool:
    """Whether a condition reads as several tests (and so needs brackets inside another)."""
    return len(condition) > 1 or any(key in ("all", "any") for key in condition)
