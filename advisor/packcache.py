"""Loaded rule packs kept in the user's cache (see :mod:`advisor.cache`), so a start-up
need not parse, validate and compile the conditions of an unchanged pack again.

An entry is named by a hash of the pack's text and the name it was read under, and of
the fingerprint of advisor's own modules, ``advisor/**/*.py`` (the pack's records are defined there: a
changed module is a different entry, never an old object in a new shape). Only a pack that validated
without a problem, on its own (no base pack), is stored.
"""

from __future__ import annotations

from typing import Any

from . import cache

KIND = "packs"


def _name(text: str, source: str) -> str | None:
    try:
        return cache.key(cache.code_fingerprint(), source, text)
    except OSError:  # advisor's own files unreadable: no cache
        return None


def stored(text: str, source: str, kind: type) -> Any | None:
    """The pack stored for this text read from ``source``, if it is there and a ``kind``."""
    if not cache.enabled() or source == "<stdin>":
        return None
    name = _name(text, source)
    found = cache.read(KIND, name) if name else None
    return found if type(found) is kind else None


def store(text: str, source: str, pack: Any) -> None:
    """Keep a validated pack for the next start (silently not, when the cache cannot be written)."""
    if not cache.enabled() or source == "<stdin>":
        return
    name = _name(text, source)
    if name:
        cache.write(KIND, name, pack)
