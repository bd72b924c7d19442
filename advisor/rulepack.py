"""Rule packs: options, dimensions, claims and rules read from YAML.

A pack file is validated by its pydantic model (:mod:`advisor.rulepack_model`), every
problem reported at once with its file and line, and becomes records
(:mod:`advisor.packrecords`). A pack that validated on its own is kept in the user's
cache, so the next start reads the records without validating the file again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import packcache, yamlfile
from .errors import RulePackError
from .packrecords import RulePack
from .resources import default_pack_path, pack_path
from .validation import Problem

__all__ = ["RulePack", "check_pack", "load_pack", "load_rules"]  # RulePack: the records' class, as loaded


def check_pack(path: str | Path, base: RulePack | None = None) -> tuple[RulePack | None, list[Problem]]:
    """Read and validate a pack, returning it (or None) and every problem found.

    With ``base``, the pack may cite the base pack's claims, options and dimensions.
    """
    text, source = yamlfile.read_text(path, RulePackError)
    if base is None and (kept := packcache.stored(text, source, RulePack)) is not None:
        return kept, []
    from .rulepack_model import pack_record, validated

    model, found = validated(yamlfile.parse(text, source, RulePackError), base)
    if model is None:
        return None, found
    pack = pack_record(model)
    if base is None:
        packcache.store(text, source, pack)
    return pack, []


def load_pack(path: str | Path | None = None, base: RulePack | None = None) -> RulePack:
    """Load a valid pack (the default pack when ``path`` is None) or raise :class:`RulePackError`."""
    pack, found = check_pack(path or default_pack_path(), base)
    if found:
        more = f" (and {len(found) - 1} more; run 'advisor rules lint')" if len(found) > 1 else ""
        raise found[0].error(RulePackError, more)
    assert pack is not None
    return pack


def load_rules(path: str | Path | None = None, extra: Sequence[str | Path] = ()) -> RulePack:
    """The pack at ``path`` or shipped under that name (the default pack when None), with ``extra`` packs merged in."""
    pack = load_pack(pack_path(path) if path else None)
    for other in extra:
        pack = pack.merged(load_pack(pack_path(other), base=pack))
    return pack
