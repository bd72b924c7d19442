"""Where the shipped rule packs and report templates live.

In a wheel they are inside the package (``advisor/_data``); in a source checkout they
are the top-level ``rules/`` and ``reports/templates/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def rules_dir() -> Path:
    """The folder of the shipped rule packs."""
    return _first_existing(_PACKAGE / "_data" / "rules", _CHECKOUT / "rules")


def templates_dir() -> Path:
    """The folder of the shipped report templates."""
    return _first_existing(_PACKAGE / "_data" / "templates", _CHECKOUT / "reports" / "templates")


def default_pack_path() -> Path:
    """The default rule pack: Docker containers against virtual machines."""
    return rules_dir() / "docker-vs-vm.yaml"
