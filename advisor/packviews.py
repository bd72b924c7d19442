"""The parts of a decision that depend only on the pack and the language: built once, shared by its decisions.

The fired rules as decisions report them (their conditions in words, their reasons), the
claims, the options' titles, summaries and next steps, the dimension titles and the
requirement fields' wording, in English or Russian (a pack text without a translation
stays English; ``advisor rules lint`` reports it for the shipped packs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import translation
from .decision_model import ClaimView, DocumentView, FieldInfo, FiredRule, PackInfo
from .packrecords import Localized
from .validation import format_value
from .workload import field_specs

if TYPE_CHECKING:
    from .rulepack import RulePack


def in_lang(text: str, lang: str) -> str:
    """A pack's text in ``lang`` (a plain string is English, and stays so)."""
    return text.in_lang(lang) if isinstance(text, Localized) else str(text)


@dataclass(frozen=True)
class OptionText:
    """An option's wording in one language: its title, summary and next steps."""

    title: str
    summary: str
    next_steps: tuple[dict[str, Any], ...]


class PackViews:
    """The parts of a decision that depend only on the pack: built once per pack, shared by its decisions."""

    def __init__(self, pack: RulePack, lang: str) -> None:

        def say(text: str) -> str:
            return translation.gettext(lang, text)

        self.info = pack_info(pack, lang)
        self.fired = {
            r.id: FiredRule(
                rule=r.id,
                dimension=r.dimension,
                condition=translation.describe_condition(r.when.to_data(), lang),
                effects=dict(r.effects),  # a decision's own, never the pack's
                because=in_lang(r.because, lang),
                sources=list(r.sources),
            )
            for r in pack.rules
        }
        documents = {
            d.id: DocumentView(id=d.id, title=d.title, publisher=d.publisher, year=d.year, url=d.url)
            for d in pack.documents.values()
        }
        self.claims = [
            ClaimView(
                id=c.id, section=c.section, quote=c.quote, text=c.text,
                document=documents.get(c.document) if c.document else None,
            )
            for c in pack.claims.values()
        ]
        self.dimension_titles = dimension_titles(pack, lang)
        self.options = {
            o.id: OptionText(
                title=in_lang(o.title, lang),
                summary=in_lang(o.summary, lang),
                next_steps=tuple({**step, "text": in_lang(step["text"], lang)} for step in o.next_steps),
            )
            for o in pack.options.values()
        }
        self.fields = {
            spec.name: FieldInfo(
                title=say(spec.title),
                help=say(spec.help),
                dimension=spec.dimension,
                dimension_title=self.dimension_titles.get(spec.dimension, spec.dimension),
                choices={format_value(v): say(label) for v, label in spec.choices.items()},
            )
            for spec in field_specs()
        }


_VIEWS: dict[tuple[int, str], tuple[RulePack, PackViews]] = {}
_VIEWS_KEPT = 16


def pack_info(pack: RulePack, lang: str = "en") -> PackInfo:
    """Which rule pack decided, as results report it (its title in ``lang``)."""
    source = dict(pack.source)
    if source.get("title") == str(pack.title):  # a pack that names no source is its own, titled in ``lang``
        source["title"] = in_lang(pack.title, lang)
    return PackInfo(name=pack.name, version=pack.version, title=in_lang(pack.title, lang), source=source)


def pack_views(pack: RulePack, lang: str = "en") -> PackViews:
    """The views of this pack object in ``lang``, built on its first decision (a few packs are kept)."""
    key = (id(pack), lang)
    entry = _VIEWS.get(key)
    if entry is None or entry[0] is not pack:
        if len(_VIEWS) >= _VIEWS_KEPT:
            del _VIEWS[next(iter(_VIEWS))]
        entry = _VIEWS[key] = (pack, PackViews(pack, lang))
    return entry[1]


def dimension_titles(pack: RulePack, lang: str = "en") -> dict[str, str]:
    """The pack's dimensions (id to title in ``lang``), in its order."""
    return {d.id: in_lang(d.title, lang) for d in pack.dimensions.values()}


