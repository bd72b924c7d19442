"""Where the shipped rule packs and report templates live.

In a wheel they are inside the package (``advisor/_data``); in a source checkout they
are the top-level ``rules/`` and ``reports/templates/`` folders.
"""

from __future__ import annotations

from pathlib import Path

from .errors import RulePackError

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


DEFAULT_PACK = "docker-vs-vm"


def default_pack_path() -> Path:
    """The default rule pack: Docker containers against virtual machines."""
    return rules_dir() / f"{DEFAULT_PACK}.yaml"


def shipped_packs() -> dict[str, Path]:
    """The rule packs shipped with advisor, by name (the file name without .yaml), default first."""
    found = {p.stem: p for p in sorted(rules_dir().glob("*.yaml"))}
    return dict(sorted(found.items(), key=lambda item: item[0] != DEFAULT_PACK))


def pack_path(name_or_path: str | Path) -> Path:
    """The file of a rule pack given by path or by the name of a shipped pack; a path wins when both could match.

    Anything that is neither an existing file nor a shipped pack's name is returned as a
    path, so that reading it reports the missing file; a bare name (no folder, no
    extension) that is not shipped is an error naming the shipped packs.
    """
    path = Path(name_or_path)
    if path.exists():
        return path
    shipped = shipped_packs()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    if path.suffix == "" and len(path.parts) == 1:
        raise RulePackError(
            f"no rule pack named '{name_or_path}'; the shipped packs are {', '.join(shipped)} "
            "(or give the path of a pack file)",
            field="--rules",
        )
    return path
