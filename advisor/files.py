"""Writing output files safely: whole or not at all, and never over what must be kept."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError

# link() refuses with these where the file system has no hard links (FAT, some network shares)
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


class AlreadyExists(OutputError, FileExistsError):
    """The file ``write_atomic(overwrite=False)`` was to create exists: it is left as it was."""


def check_writable(path: str | Path) -> bool:
    """Refuse a path that can never be written as a file; return whether it exists."""
    target = Path(path)
    if target.is_dir():
        raise OutputError("is a folder, not a file", path=str(path))
    if not target.parent.is_dir():
        raise OutputError("the folder does not exist", path=str(path))
    return target.exists()


def write_atomic(path: str | Path, text: str | Iterable[str], *, overwrite: bool = True) -> Path:
    """Write ``text`` (a string, or pieces of one) to ``path`` through a temporary file
    renamed into place.

    A failure leaves no partial file, even one raised while the pieces are made. With
    ``overwrite=False`` an existing file is an error (:class:`AlreadyExists`) and is left
    untouched.
    """
    if not isinstance(text, str) and not overwrite:
        text = "".join(text)  # it may have to be written twice (see _link_or_create)
    target = Path(path)
    folder = target.parent
    if check_writable(target) and not overwrite:
        raise AlreadyExists("already exists; not overwritten (use --force)", path=str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for piece in (text,) if isinstance(text, str) else text:
                fh.write(piece)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        if overwrite:
            os.replace(tmp, target)
        else:
            # link() fails if the target appeared meanwhile, so nothing is ever overwritten
            _link_or_create(tmp, target, text)
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise AlreadyExists("already exists; not overwritten (use --force)", path=str(path)) from None
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    except BaseException:  # the pieces failed to be made, or the user interrupted
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def _link_or_create(tmp: str, target: Path, text: str) -> None:
    """Link ``tmp`` to ``target``; without hard links, create ``target`` exclusively and write it."""
    try:
        os.link(tmp, target)
        return
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except BaseException:
        os.unlink(target)  # ours, made by O_EXCL: never leave it half-written
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
