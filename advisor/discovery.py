"""Finding files for ``advisor check``: workload files under folders, and the policy.

Folders are searched recursively, in sorted order, skipping hidden folders (``.git``,
``.venv``, ...) and never following symbolic links to folders, so a search always ends.
A matching name that is not a regular file (a FIFO, a device, a broken link) is reported,
never opened.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from . import yamlfile
from .errors import PolicyError
from .files import kind_of

DEFAULT_PATTERNS: tuple[str, ...] = ("workload.yaml", "workload.yml", "*.workload.yaml")
POLICY_FILES: tuple[str, ...] = (".advisor.yaml", ".advisor.yml")


def matches(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a file matches a pattern: by its name, or by its path below the searched
    folder when the pattern holds a ``/``."""
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatchcase(relative if "/" in p else name, p) for p in patterns)


def find_workloads(
    paths: Iterable[str], patterns: Sequence[str] = DEFAULT_PATTERNS
) -> tuple[list[str], list[tuple[str, str]]]:
    """The workload files named by ``paths``, and ``(path, problem)`` for each path that
    cannot be searched.

    A file is taken as it is, whatever its name; a folder is searched for files matching
    ``patterns``. The files come back once each (a file named twice counts once), sorted
    by the path shown to the user.
    """
    found: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for path in paths:
        shown = _shown(path)
        if os.path.isdir(path):
            for file in _walk(path, shown, patterns, problems):
                found.setdefault(os.path.abspath(file), file)
        elif os.path.lexists(path):
            problem = _not_regular(path)
            if problem:
                problems.append((shown, problem))
            else:
                found.setdefault(os.path.abspath(path), shown)
        else:
            problems.append((shown, "no such file or folder"))
    return sorted(found.values()), sorted(set(problems))


def _walk(top: str, shown: str, patterns: Sequence[str], problems: list[tuple[str, str]]) -> list[str]:
    prefix = "" if shown == "." else shown.rstrip("/") + "/"
    files = []
    stack = [(top, "")]
    while stack:  # a stack, not recursion: a folder tree may be deeper than Python's recursion limit
        folder, relative = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    below = relative + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if not entry.name.startswith("."):
                            stack.append((entry.path, below + "/"))
                    elif matches(below, patterns):
                        if entry.is_symlink() and not _inside(entry.path, top):
                            # A link in a change under review must not make the check read,
                            # and quote in its findings, a file of the machine running it.
                            problems.append((prefix + below, "a symbolic link out of the searched folder; not read"))
                        elif entry.is_file():  # from the folder listing: no extra system call
                            files.append(prefix + below)
                        else:
                            problems.append((prefix + below, _not_regular(entry.path) or "not read"))
        except OSError as exc:
            problems.append(((prefix + relative).rstrip("/") or shown, f"cannot search folder: {exc.strerror or exc}"))
    return files


def _inside(link: str, top: str) -> bool:
    """Whether the file ``link`` points to lies within the folder ``top``."""
    target, root = os.path.realpath(link), os.path.realpath(top)
    return os.path.commonpath([target, root]) == root


def _not_regular(path: str) -> str | None:
    """Why ``path`` cannot be read as a workload file (a FIFO, a device, a broken link), or
    None for a regular file: a FIFO is never opened, since reading one waits forever."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken symbolic link; not read"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else f"is {kind_of(mode)}, not a regular file; not read"


def _shown(path: str) -> str:
    """A path as the user will see it: normalised, with forward slashes."""
    return os.path.normpath(path).replace(os.sep, "/")


def folders_upwards(start: Path) -> list[Path]:
    """``start`` and the folders above it, up to the root of the repository (the folder
    holding ``.git``), so a checkout never picks up a file from outside it."""
    folders = []
    for folder in (start, *start.parents):
        folders.append(folder)
        if (folder / ".git").exists():
            break
    return folders


def find_upwards(start: Path, names: Sequence[str]) -> Path | None:
    """The first of ``names`` found in ``start`` or a folder above it (see :func:`folders_upwards`).

    Any entry of that name counts, a folder, a FIFO or a broken link too, so reading it
    fails with a message rather than the policy being passed over in silence."""
    for folder in folders_upwards(start):
        for name in names:
            if os.path.lexists(folder / name):
                return folder / name
    return None


def shown_relative(path: Path, start: Path) -> str:
    """``path`` relative to ``start`` when below or beside it, for messages."""
    try:
        return _shown(os.path.relpath(path, start))
    except ValueError:  # another drive on Windows
        return _shown(str(path))


def find_policy_document(cwd: Path) -> tuple[yamlfile.Document, Path] | None:
    """The policy that applies in ``cwd``, parsed, and the folder its paths are relative to:
    ``.advisor.yaml`` in ``cwd`` or a folder above, else ``[tool.advisor]`` of the nearest
    ``pyproject.toml`` that has one; None when there is neither."""
    found = find_upwards(cwd, POLICY_FILES)
    if found is not None:
        shown = shown_relative(found, cwd)
        return yamlfile.parse(_read(found, shown), shown, PolicyError), found.parent
    for folder in folders_upwards(cwd):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            doc = pyproject_document(candidate, shown_relative(candidate, cwd))
            if doc is not None:
                return doc, folder
    return None


def pyproject_document(path: Path, shown: str) -> yamlfile.Document | None:
    """The ``[tool.advisor]`` table of a pyproject file as a document with key lines, or None."""
    text = _read(path, shown)
    if "advisor" not in text:  # most pyproject files say nothing to advisor; skip parsing them
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\s*\(at line (\d+), column \d+\)", str(exc))
        message = str(exc)[: match.start()] if match else str(exc)
        line = int(match.group(1)) if match else None
        raise PolicyError(f"invalid TOML: {message}", path=shown, line=line) from None
    except RecursionError:
        raise PolicyError("invalid TOML: nested too deeply", path=shown) from None
    table = data.get("tool", {}).get("advisor") if isinstance(data.get("tool"), dict) else None
    if table is None:
        return None
    return yamlfile.Document(data=table, source=shown, lines=_toml_lines(text))


def _read(path: Path, shown: str) -> str:
    """The text of a policy file; a problem reading it names the file as ``shown``, like
    every other message about it."""
    try:
        text, _ = yamlfile.read_text(path, PolicyError)
    except PolicyError as exc:
        raise PolicyError(exc.message, path=shown, line=exc.line, field=exc.field) from None
    return text


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(["']?)([A-Za-z0-9_-]+)\1\s*=""")


def _toml_lines(text: str) -> dict[tuple, int]:
    """The lines of the keys of ``[tool.advisor]`` and its ``[[tool.advisor.waivers]]``."""
    lines: dict[tuple, int] = {}
    table: tuple | None = None
    waivers = -1
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            name = re.sub(r"\s", "", header.group(2)).replace('"', "")
            if name == "tool.advisor" and header.group(1) == "[":
                table = ()
            elif name == "tool.advisor.waivers" and header.group(1) == "[[":
                waivers += 1
                table = ("waivers", waivers)
                lines.setdefault(("waivers",), number)
            else:
                table = None
            if table is not None:
                lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key and table is not None:
            lines.setdefault((*table, key.group(2)), number)
    return lines
