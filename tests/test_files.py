"""write_atomic: whole or nothing, and never a stray temporary file, on every way it can fail."""

from __future__ import annotations

import errno
import os
import stat
import tempfile

import pytest

from advisor import files
from advisor.errors import OutputError
from advisor.files import AlreadyExists, write_atomic


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def _device(folder, name, major, minor):
    """A character device node of the test's own (as /dev/null is 1,3 and /dev/full 1,7), so that even a
    regression replacing the output by a file could not replace a device of the machine running the test."""
    path = folder / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:
        pytest.skip(f"cannot make a character device here: {exc.strerror}")
    return path


def test_a_file_that_appears_during_a_no_overwrite_write_is_kept_and_no_temp_file_is_left(tmp_path, monkeypatch):
    """A target created by another process between the check and the link is left as it was, and the .tmp is gone."""
    target = tmp_path / "out.md"
    real_link = os.link

    def racing_link(src, dst):
        target.write_text("theirs", encoding="utf-8")
        return real_link(src, dst)

    monkeypatch.setattr(files.os, "link", racing_link)
    with pytest.raises(AlreadyExists) as info:
        write_atomic(target, "ours", overwrite=False)
    assert str(info.value) == f"{target}: already exists; not overwritten (use --force)"
    assert target.read_text(encoding="utf-8") == "theirs"
    assert _listing(tmp_path) == ["out.md"]


def test_without_hard_links_a_no_overwrite_write_creates_the_file_exclusively(tmp_path, monkeypatch):
    """Where link() is refused (FAT), the file is created with O_EXCL and holds the text; no .tmp remains."""

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.md", "ours", overwrite=False)
    finally:
        os.umask(mask)
    assert (tmp_path / "out.md").read_text(encoding="utf-8") == "ours"
    assert (tmp_path / "out.md").stat().st_mode & 0o777 == 0o644
    assert _listing(tmp_path) == ["out.md"]


def test_without_hard_links_a_file_that_appears_meanwhile_is_kept(tmp_path, monkeypatch):
    """Without hard links, a target that appeared meanwhile is refused by O_EXCL and left as it was."""
    target = tmp_path / "out.md"

    def no_links(src, dst):
        target.write_text("theirs", encoding="utf-8")
        raise OSError(errno.ENOTSUP, "Operation not supported")

    monkeypatch.setattr(files.os, "link", no_links)
    with pytest.raises(AlreadyExists):
        write_atomic(target, "ours", overwrite=False)
    assert target.read_text(encoding="utf-8") == "theirs"
    assert _listing(tmp_path) == ["out.md"]


def test_a_link_failing_otherwise_is_an_output_error_with_no_trace(tmp_path, monkeypatch):
    """A link() failure other than 'no hard links here' is reported, and neither target nor .tmp exists."""

    def broken(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "link", broken)
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path / "out.md", "ours", overwrite=False)
    assert str(info.value) == f"{tmp_path / 'out.md'}: cannot write: Input/output error"
    assert _listing(tmp_path) == []


def test_a_failing_exclusive_write_removes_the_half_written_target(tmp_path, monkeypatch):
    """Without hard links, a write that fails after O_EXCL created the target removes it and the .tmp."""
    monkeypatch.setattr(files.os, "link", lambda s, d: (_ for _ in ()).throw(OSError(errno.EPERM, "no")))
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd, *args, **kwargs):
        calls.append(fd)
        fh = real_fdopen(fd, *args, **kwargs)
        if len(calls) == 2:  # the second: the exclusive target
            fh.write = lambda data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
        return fh

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    with pytest.raises(OutputError, match="No space left"):
        write_atomic(tmp_path / "out.md", "ours", overwrite=False)
    assert _listing(tmp_path) == []


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_piece_that_cannot_be_made_leaves_nothing(tmp_path, overwrite):
    """A generator of pieces that raises midway leaves no target and no .tmp, and the error is the generator's."""

    def pieces():
        yield "first part\n"
        raise KeyError("template failed")

    with pytest.raises(KeyError):
        write_atomic(tmp_path / "out.md", pieces(), overwrite=overwrite)
    assert _listing(tmp_path) == []


def test_an_interruption_midway_keeps_the_old_file_and_leaves_no_tmp(tmp_path):
    """A KeyboardInterrupt while writing keeps the previous file intact and removes the .tmp."""
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")

    def pieces():
        yield "new"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, pieces())
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["out.md"]


def test_an_unencodable_piece_leaves_nothing(tmp_path):
    """A lone surrogate in a later piece is refused with its line, and nothing is written."""
    with pytest.raises(OutputError, match=r"lone surrogate .*line 1"):
        write_atomic(tmp_path / "out.md", iter(["ok\n", "bad \ud800"]))
    assert _listing(tmp_path) == []


@pytest.mark.parametrize("step", ["chmod", "replace"])
def test_a_failing_chmod_or_rename_leaves_the_old_file_and_no_tmp(tmp_path, monkeypatch, step):
    """When giving the mode or renaming into place fails, the old file stays and the .tmp is removed."""
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, step, fail)
    with pytest.raises(OutputError) as info:
        write_atomic(target, "new")
    assert str(info.value) == f"{target}: cannot write: Permission denied"
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["out.md"]


def test_a_folder_where_no_temp_file_can_be_made_is_an_output_error(tmp_path, monkeypatch):
    """When the temporary file cannot be created the error says so and nothing appears."""

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", fail)
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path / "out.md", "new")
    assert str(info.value) == f"{tmp_path / 'out.md'}: cannot write: Read-only file system"
    assert _listing(tmp_path) == []


def test_a_written_file_has_the_usual_mode_and_replaces_the_old(tmp_path):
    """A successful write replaces the text whole and gives the file 0666 less the umask, not mkstemp's 0600."""
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")
    mask = os.umask(0o022)
    try:
        write_atomic(target, iter(["a", "b"]))
    finally:
        os.umask(mask)
    assert target.read_text(encoding="utf-8") == "ab"
    assert target.stat().st_mode & 0o777 == 0o644
    assert _listing(tmp_path) == ["out.md"]


def test_an_existing_file_is_refused_without_overwrite(tmp_path):
    """overwrite=False on an existing file raises AlreadyExists and leaves it untouched."""
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(AlreadyExists, match="already exists"):
        write_atomic(target, "new", overwrite=False)
    assert target.read_text(encoding="utf-8") == "old"


def test_what_cannot_be_written_is_said_with_the_path(tmp_path):
    """A folder, a file in a missing folder, and an existing file without overwrite each give 'PATH: why'."""
    cases = [
        (tmp_path, {}, f"{tmp_path}: is a folder, not a file"),
        (tmp_path / "nope" / "out.md", {}, f"{tmp_path / 'nope' / 'out.md'}: the folder does not exist"),
    ]
    (tmp_path / "old.md").write_text("old", encoding="utf-8")
    cases.append((tmp_path / "old.md", {"overwrite": False},
                  f"{tmp_path / 'old.md'}: already exists; not overwritten (use --force)"))
    for target, kwargs, message in cases:
        with pytest.raises(OutputError) as info:
            write_atomic(target, "x", **kwargs)
        assert str(info.value) == message
        assert info.value.path == str(target)


@pytest.mark.parametrize(
    ("text", "encoding", "what"),
    [
        ("a\nb\n\udc80", "utf-8", "the byte \\x80 of a name that is not UTF-8 (line 3)"),
        ("\udcff", "utf-8", "the byte \\xff of a name that is not UTF-8 (line 1)"),
        ("x\n\ud800", "utf-8", "a lone surrogate \\ud800 (line 2)"),
        ("\udfff", "utf-8", "a lone surrogate \\udfff (line 1)"),
        ("\udc7f", "utf-8", "a lone surrogate \\udc7f (line 1)"),
        ("\udd00", "utf-8", "a lone surrogate \\udd00 (line 1)"),
        ("\n\nprice: \u20ac", "latin-1", "the character '\\u20ac' (line 3)"),
        ("\ue000", "latin-1", "the character '\\ue000' (line 1)"),
    ],
)
def test_unencodable_text_names_the_character_and_its_line(text, encoding, what):
    """Bytes of a non-UTF-8 name (U+DC80..U+DCFF), other lone surrogates and characters the encoding lacks
    are told apart, with the line (counted from the start) they are on."""
    with pytest.raises(OutputError) as info:
        files.encoded(text, encoding)
    assert str(info.value) == f"the output cannot be written as {encoding}: it holds {what}; nothing written"


def test_kinds_of_files_are_named_for_messages(tmp_path):
    """A regular file, a folder and a FIFO are named as such; reading a FIFO is a NotRegular with its kind."""
    (tmp_path / "f").write_text("x", encoding="utf-8")
    os.mkfifo(tmp_path / "p")
    assert files.kind_of(os.stat(tmp_path / "f").st_mode) == "a regular file"
    assert files.kind_of(os.stat(tmp_path).st_mode) == "a folder"
    assert files.kind_of(os.stat(tmp_path / "p").st_mode) == "a FIFO"
    assert files.kind_of(0) == "not a regular file"
    with pytest.raises(files.NotRegular) as info:
        files.read_regular(tmp_path / "p", 100)
    assert (info.value.kind, str(info.value)) == ("a FIFO", "is a FIFO, not a regular file")


def test_an_output_that_is_an_input_is_refused_but_standard_input_is_not(tmp_path):
    """The output may not be one of the inputs (also through another spelling); '-' and None are no files."""
    (tmp_path / "in.yaml").write_text("x", encoding="utf-8")
    files.refuse_inputs(tmp_path / "in.yaml", ["-", None, tmp_path / "other.yaml"])
    with pytest.raises(OutputError, match=r"is also an input \(.*in\.yaml\); not overwritten"):
        files.refuse_inputs(tmp_path / "in.yaml", ["-", str(tmp_path / "." / "in.yaml")])


def test_a_fifo_output_is_written_through_and_appended_to_a_character_device(tmp_path):
    """An existing FIFO with a reader receives the text as it is (not replaced by a file); a device takes it too."""
    import threading

    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    got = []
    def read():
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(200):  # wait until the reader has the FIFO open
        try:
            write_atomic(fifo, "through the pipe\n")
            break
        except OutputError as exc:
            assert "no program is reading it" in str(exc)
            import time

            time.sleep(0.01)
    reader.join(5)
    assert got == [b"through the pipe\n"]
    assert files.kind_of(os.stat(fifo).st_mode) == "a FIFO"
    null = _device(tmp_path, "null", 1, 3)
    write_atomic(null, "gone")
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_fifo_without_reader_is_an_error_saying_so(tmp_path):
    """Writing to a FIFO nobody reads fails at once, saying no program is reading it."""
    os.mkfifo(tmp_path / "p")
    with pytest.raises(OutputError) as info:
        write_atomic(tmp_path / "p", "x")
    assert str(info.value) == f"{tmp_path / 'p'}: cannot write to a FIFO: no program is reading it"


def test_a_device_with_no_driver_is_not_said_to_lack_a_reader(tmp_path):
    """A character device no driver serves fails with the system's reason, not the FIFO's 'no program is reading it'."""
    path = tmp_path / "nodriver"
    try:  # major 240 is set aside for local use: no driver serves it unless one is loaded
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(240, 0))
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            pytest.skip(f"cannot make a driverless character device here: {exc.strerror}")
    else:
        pytest.skip("a driver serves the local-use major 240 here")
    with pytest.raises(OutputError) as info:
        write_atomic(path, "x")
    assert str(info.value) == f"{path}: cannot write to a character device: {os.strerror(errno.ENXIO)}"
    assert stat.S_ISCHR(os.lstat(path).st_mode)


def test_a_link_to_an_open_descriptor_is_appended_to_not_replaced(tmp_path):
    """A path leading through links to /proc/self/fd/N (as /dev/stdout does) is written to in place, appending."""
    out = tmp_path / "out.txt"
    out.write_text("before\n", encoding="utf-8")
    with open(out, "ab") as fh:
        link = tmp_path / "stdout"
        os.symlink(f"/proc/self/fd/{fh.fileno()}", link)
        hop = tmp_path / "hop"
        os.symlink("stdout", hop)  # relative: read from the link's own folder
        write_atomic(hop, iter(["af", "ter\n"]))
    assert out.read_text(encoding="utf-8") == "before\nafter\n"
    assert os.path.islink(link) and os.path.islink(hop)


def test_the_temporary_file_is_a_hidden_tmp_beside_the_target(tmp_path):
    """While the text is written, it goes to '.NAME.*.tmp' in the target's own folder (so the rename is atomic)."""
    seen = []

    def pieces():
        yield "a"
        seen.extend(_listing(tmp_path))
        yield "b"

    write_atomic(tmp_path / "out.md", pieces())
    assert len(seen) == 1 and seen[0].startswith(".out.md.") and seen[0].endswith(".tmp"), seen
    assert _listing(tmp_path) == ["out.md"]


def test_a_device_that_cannot_take_the_text_is_an_error_naming_it(tmp_path):
    """Writing to a full device (as /dev/full, always full) says so, with the path and the reason; it stays a device."""
    full = _device(tmp_path, "full", 1, 7)
    with pytest.raises(OutputError) as info:
        write_atomic(full, "x")
    assert str(info.value) == f"{full}: cannot write to a character device: No space left on device"
    assert stat.S_ISCHR(os.lstat(full).st_mode)
