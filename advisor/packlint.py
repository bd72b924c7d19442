"""What a pack lacks in a language: the texts it writes in English only.

Every text a report shows from a pack (a rule's reason, an option's title, summary and
next steps, a dimension's title and the pack's title) may be written as ``{en: …, ru: …}``.
A shipped pack must have each in every language advisor writes; ``advisor rules lint``
reports one that does not as a problem, and a pack of one's own as a warning only (its
Russian reports then show its English text).
"""

from __future__ import annotations

from collections.abc import Iterator

from . import yamlfile
from .errors import RulePackError
from .packrecords import Localized
from .rulepack import RulePack
from .translation import LANGUAGES
from .validation import Problem


def _texts(pack: RulePack) -> Iterator[tuple[tuple, str | None, str, str]]:
    """Each pack text: its place in the file, the id it belongs to, its name and the text."""
    yield ("title",), None, "title", pack.title
    for key, dimension in pack.dimensions.items():
        yield ("dimensions", key), key, "title", dimension.title
    for key, option in pack.options.items():
        yield ("options", key, "title"), key, "title", option.title
        yield ("options", key, "summary"), key, "summary", option.summary
        for i, step in enumerate(option.next_steps):
            yield ("options", key, "next_steps", i, "text"), key, f"next_steps[{i}]", step["text"]
    for i, rule in enumerate(pack.rules):
        yield ("rules", i, "because"), rule.id, "because", rule.because


def untranslated(pack: RulePack, languages: tuple[str, ...] = LANGUAGES) -> list[Problem]:
    """The pack's texts that have no translation into one of ``languages``, one problem each."""
    doc = yamlfile.load(pack.path, RulePackError)
    declared = set(doc.lines)
    found = []
    for where, owner, name, text in _texts(pack):
        if where[0] in ("title", "dimensions") and where not in declared:
            continue  # a title the pack does not write (its name, a dimension's id) needs no translation
        written = text if isinstance(text, Localized) else Localized(str(text))
        for lang in languages:
            if not written.has(lang):
                found.append(Problem(pack.path, doc.line_of(where), owner, f"{name} has no {lang} translation"))
    return found
