"""The parts of a decision that depend only on the pack and the language: built once, shared by its decisions.

The fired rules as decisions report them (their conditions in words), the claims, the
dimension titles and the requirement fields' wording, in English or Russian.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import translation
from .decision_model import ClaimView, DocumentView, FieldInfo, FiredRule, PackInfo
from .validation import format_value
from .workload import field_specs

if TYPE_CHECKING:
    from .rulepack import RulePack


class PackViews:
    """The parts of a decision that depend only on the pack: built once per pack, shared by its decisions."""

    def __init__(self, pack: RulePack, lang: str) -> None:

        def say(text: str) -> str:
            return translation.gettext(lang, text)

        self.info = pack_info(pack)
        self.fired = {
            r.id: FiredRule(
                rule=r.id,
                dimension=r.dimension,
                condition=translation.describe_condition(r.when.to_data(), lang),
                effects=r.effects,
                because=r.because,
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
        self.dimension_titles = dimension_titles(pack)
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


def pack_info(pack: RulePack) -> PackInfo:
    """Which rule pack decided, as results report it."""
    return PackInfo(name=pack.name, version=pack.version, title=pack.title, source=pack.source)


def pack_views(pack: RulePack, lang: str = "en") -> PackViews:
    """The views of this pack object in ``lang``, built on its first decision (a few packs are kept)."""
    key = (id(pack), lang)
    entry = _VIEWS.get(key)
    if entry is None or entry[0] is not pack:
        if len(_VIEWS) >= _VIEWS_KEPT:
            del _VIEWS[next(iter(_VIEWS))]
        entry = _VIEWS[key] = (pack, PackViews(pack, lang))
    return entry[1]


def dimension_titles(pack: RulePack) -> dict[str, str]:
    """The pack's dimensions (id to title), in its order."""
    return {d.id: d.title for d in pack.dimensions.values()}


