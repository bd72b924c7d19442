"""The user's cache of work advisor would otherwise repeat on every start: compiled templates
and loaded rule packs.

Entries live in ``$XDG_CACHE_HOME/advisor`` (else ``~/.cache/advisor``), in a folder named
after advisor's, Python's and the libraries' versions, under a name made of a hash of
what they were made from, so a changed input is a different entry and never a stale
one. Writes go through a temporary file renamed into place. The cache is an
optimisation only: a folder that cannot be made or written, or an entry that cannot be
read or is corrupt, is passed over in silence and the work done afresh.
``ADVISOR_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__

MAGIC = b"advisor-cache-1\n"


def enabled() -> bool:
    """Whether the cache may be used (ADVISOR_NO_CACHE unset, empty or 0)."""
    return os.environ.get("ADVISOR_NO_CACHE", "") in ("", "0")


def folder(kind: str) -> Path | None:
    """The folder of one kind of entry, made if need be; None when the cache is off or cannot be made."""
    if not enabled():
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path(os.path.expanduser("~")) / ".cache"
    if not root.is_absolute():  # no home folder: never a cache relative to the working folder
        return None
    versions = f"{__version__}-py{sys.version_info[0]}.{sys.version_info[1]}-{_library_versions()}"
    top = root / "advisor"
    path = top / versions / kind
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    # Entries are unpickled: a folder another user could write to is no cache of ours.
    return path if all(_private(p) for p in (top, top / versions, path)) else None


def _private(path: Path) -> bool:
    """A real folder (no link) of this user's that nobody else may write to."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o022


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A fingerprint of advisor's own modules: a stored pack is made of their classes, and
    compiled templates hold what their filters gave for constants.

    Each module counts by its path, size and modification time, as Python's own bytecode
    cache checks a source (reading and hashing every module would cost each start more
    than the entries save), and the folder advisor is installed in counts too.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    found, folders = [package + "\0"], [package]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    found.append(f"{os.path.relpath(entry.path, package)}\0{info.st_size}\0{info.st_mtime_ns}\0")
    return hashlib.sha256("".join(sorted(found)).encode("utf-8", "surrogateescape")).hexdigest()


def _library_versions() -> str:
    import jinja2
    import pydantic
    import yaml

    return f"jinja{jinja2.__version__}-pydantic{pydantic.VERSION}-yaml{yaml.__version__}"


def key(*parts: bytes | str) -> str:
    """A hash of ``parts``, as the name of an entry."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:32]


def read(kind: str, name: str) -> Any | None:
    """The object stored as ``name``, or None when there is none or it cannot be read whole."""
    where = folder(kind)
    if where is None:
        return None
    try:
        raw = (where / name).read_bytes()
        if not raw.startswith(MAGIC):
            return None
        return pickle.loads(raw[len(MAGIC) :])
    except Exception:  # a missing, unreadable, truncated or corrupt entry is only a miss
        return None


def write(kind: str, name: str, value: Any) -> None:
    """Store ``value`` as ``name``, atomically; a failure of any kind leaves the cache as it was."""
    where = folder(kind)
    if where is None:
        return
    import tempfile  # only when writing: a warm start never does

    temp = None
    try:
        data = MAGIC + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        handle, temp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, where / name)
        temp = None
    except Exception:  # a read-only or full disk, an object that does not pickle: no cache, same result
        pass
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
