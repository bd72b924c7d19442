"""write_atomic: whole or nothing, and never a stray temporary file, on every way it can fail."""

from __future__ import annotations

import errno
import os

import pytest

from advisor import files
from advisor.errors import OutputError
from advisor.files import AlreadyExists, write_atomic


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_file_that_appears_during_a_no_overwrite_write_is_kept_and_no_temp_file_is_left(tmp_path, monkeypatch):
    """A target created by another process between the check and the link is left as it was, and the .tmp is gone."""
    target = tmp_path / "out.md"
    real_link = os.link

    def racing_link(src, dst):
        target.write_text("theirs", encoding="utf-8")
        return real_link(src, dst)

    monkeypatch.setattr(files.os, "link", racing_link)
    with pytest.raises(AlreadyExists):
        write_atomic(target, "ours", overwrite=False)
    assert target.read_text(encoding="utf-8") == "theirs"
    assert _listing(tmp_path) == ["out.md"]


def test_without_hard_links_a_no_overwrite_write_creates_the_file_exclusively(tmp_path, monkeypatch):
    """Where link() is refused (FAT), the file is created with O_EXCL and holds the text; no .tmp remains."""

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    write_atomic(tmp_path / "out.md", "ours", overwrite=False)
    assert (tmp_path / "out.md").read_text(encoding="utf-8") == "ours"
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
    with pytest.raises(OutputError, match="Input/output error"):
        write_atomic(tmp_path / "out.md", "ours", overwrite=False)
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
    with pytest.raises(OutputError, match="cannot write: Permission denied"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["out.md"]


def test_a_folder_where_no_temp_file_can_be_made_is_an_output_error(tmp_path, monkeypatch):
    """When the temporary file cannot be created the error says so and nothing appears."""

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", fail)
    with pytest.raises(OutputError, match="Read-only file system"):
        write_atomic(tmp_path / "out.md", "new")
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
