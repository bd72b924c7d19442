"""Reading users' files and writing output files safely.

Reading never blocks on a FIFO and never reads a device: only regular files are read,
and only up to a limit. Writing is whole or not at all, and never over what must be kept:
an output that is a FIFO, a terminal or an open file descriptor (``/dev/stdout``) is
written to directly, never renamed over; a block device or socket is refused.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError, visible

# link() refuses with these where the file system has no hard links (FAT, some network shares)
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_DESCRIPTOR = re.compile(r"/(dev|proc/[^/]+)/fd/\d+")


class AlreadyExists(OutputError, FileExistsError):
    """The file ``write_atomic(overwrite=False)`` was to create exists: it is left as it was."""


class NotRegular(OSError):
    """A path that names something other than a regular file (a FIFO, a device, a folder)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"is {kind}, not a regular file")
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a file mode says a path is, for messages: "a FIFO", "a folder", "a regular file"."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit + 1`` of them (so the caller sees it is too big).

    The file is opened without blocking (a FIFO would wait for a writer forever) and
    read only when it is a regular file: otherwise :class:`NotRegular` is raised.
    Other failures are the ``OSError`` of the operating system.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        raise NotRegular("a folder") from None
    try:
        info = os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegular(kind_of(info.st_mode))
    with os.fdopen(fd, "rb") as fh:
        # Sized to the file: reading into a big buffer costs more than parsing a small file.
        size = min(info.st_size, limit) + 1
        raw = fh.read(size)
        if len(raw) == size <= limit:  # the file grew meanwhile
            raw += fh.read(limit + 1 - size)
    return raw


def encoded(text: str, encoding: str = "utf-8") -> bytes:
    """``text`` encoded, or an OutputError saying which character cannot be (a lone surrogate, say)."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        line = exc.object.count("\n", 0, exc.start) + 1
        if 0xDC80 <= ord(char) <= 0xDCFF:
            what = f"the byte {visible(char)} of a name that is not UTF-8"
        elif 0xD800 <= ord(char) <= 0xDFFF:
            what = f"a lone surrogate {visible(char)}"
        else:
            what = f"the character {char!a}"
        message = f"the output cannot be written as {encoding}: it holds {what} (line {line}); nothing written"
        raise OutputError(message) from None


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one existing file (by device and inode: links and spellings agree)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def refuse_inputs(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """An OutputError when ``output`` is one of the files the command reads, so it is never overwritten."""
    for given in inputs:
        if given and str(given) != "-" and same_file(output, given):
            raise OutputError(f"is also an input ({given}); not overwritten", path=str(output))


def check_writable(path: str | Path) -> bool:
    """Refuse a path that can never be written as a file; return whether it exists."""
    target = Path(path)
    if target.is_dir():
        raise OutputError("is a folder, not a file", path=str(path))
    if not target.parent.is_dir():
        raise OutputError("the folder does not exist", path=str(path))
    return os.path.lexists(target)


def write_atomic(path: str | Path, text: str | Iterable[str], *, overwrite: bool = True) -> Path:
    """Write ``text`` (a string, or its pieces) to ``path`` through a temporary file renamed into place.

    A failure of any kind (an interruption included, or a piece that cannot be made) leaves
    no partial or temporary file; text that cannot be encoded is refused before the target
    is touched. With ``overwrite=False`` an existing file is an error
    (:class:`AlreadyExists`) and is left untouched. A target that is not a regular file, or
    that names an open file descriptor (``/dev/stdout``), is written directly (see
    :func:`_stream_kind`).
    """
    target = Path(path)
    pieces: Iterable[str] = (text,) if isinstance(text, str) else text
    exists = check_writable(target)
    if exists and not overwrite:
        raise AlreadyExists("already exists; not overwritten (use --force)", path=str(path))
    stream = _stream_kind(target) if exists else None
    if stream is not None:
        _write_stream(target, encoded("".join(pieces)), stream)
        return target
    import tempfile  # only when writing a file: most runs print to standard output

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(encoded(piece))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        if overwrite:
            os.replace(tmp, target)
        else:
            # link() fails if the target appeared meanwhile, so nothing is ever overwritten
            _link_or_create(tmp, target, Path(tmp).read_bytes())
            os.unlink(tmp)
    except BaseException as exc:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        if isinstance(exc, FileExistsError):
            raise AlreadyExists("already exists; not overwritten (use --force)", path=str(path)) from None
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
        raise
    return target


def _stream_kind(target: Path) -> str | None:
    """What an existing ``target`` is when it must be written directly, not replaced: a
    FIFO, a character device (a terminal, ``/dev/null``), or a link to an open file
    descriptor (``/dev/stdout``, ``/dev/fd/N``); None for a file to replace atomically.
    A block device or socket is refused: writing one would destroy data or fail."""
    try:
        mode = os.stat(target).st_mode
    except OSError:  # a dangling link: replaced like a file
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return kind_of(mode)
    if not stat.S_ISREG(mode):
        raise OutputError(f"is {kind_of(mode)}; advisor writes only files, FIFOs and terminals", path=str(target))
    return "an open file" if _names_descriptor(target) else None


def _names_descriptor(target: Path) -> bool:
    """Whether a path leads, through links, to ``/proc/.../fd/N`` or ``/dev/fd/N``: the file
    the shell redirected, which must be appended to, not replaced by another file."""
    current = os.path.abspath(target)
    for _ in range(40):  # the kernel's own limit on links followed
        if _DESCRIPTOR.fullmatch(current):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    return False


def _write_stream(target: Path, data: bytes, kind: str) -> None:
    """Write ``data`` to a FIFO, a device or an open file as it is, appending, never truncating."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
    if kind == "a FIFO":
        flags |= getattr(os, "O_NONBLOCK", 0)  # with no reader, fail at once instead of waiting forever
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        # ENXIO means no reader only for a FIFO; a device with no driver behind it gives it too.
        no_reader = exc.errno == errno.ENXIO and kind == "a FIFO"
        reason = "no program is reading it" if no_reader else exc.strerror or str(exc)
        raise OutputError(f"cannot write to {kind}: {reason}", path=str(target)) from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write to {kind}: {exc.strerror or exc}", path=str(target)) from None
    finally:
        os.close(fd)


def _link_or_create(tmp: str, target: Path, data: bytes) -> None:
    """Link ``tmp`` to ``target``; without hard links, create ``target`` exclusively and write it."""
    try:
        os.link(tmp, target)
        return
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        os.unlink(target)  # ours, made by O_EXCL: never leave it half-written
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest first."""
    created = []
    missing = folder
    while not missing.exists():
        created.append(missing)
        missing = missing.parent
    for path in reversed(created):
        try:
            path.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            remove_folders(created)
            raise OutputError(f"cannot create the folder: {exc.strerror or exc}", path=str(path)) from None
    return created


def remove_folders(created: list[Path]) -> None:
    """Remove the folders ``make_folders`` created (deepest first), as far as they are empty."""
    for path in created:
        try:
            path.rmdir()
        except OSError:
            pass


def display_path(path: str | Path, start: Path | None = None) -> str:
    """``path`` as the user would type it (and a CI job would name it): as given when
    relative, else relative to ``start`` (the current folder) when inside it."""
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    start = (start or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(start).as_posix()
    except ValueError:
        return path.as_posix()
