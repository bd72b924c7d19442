"""files parts: standard input among the inputs, outputs that lead to open files, FIFOs
taking more than a pipe holds, systems without O_NOCTTY or O_NONBLOCK, folders made for
an output and paths as shown to the user."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from advisor import files
from advisor.errors import OutputError
from advisor.files import write_atomic

# A read-only attribute of sysfs: the kernel refuses to open it for writing, even to root.
READ_ONLY = Path("/sys/kernel/address_bits")


def test_a_file_named_dash_is_not_the_standard_input_named_dash(tmp_path, monkeypatch):
    """An input given as '-' is standard input, so an output that is a file called '-' is no input."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("old", encoding="utf-8")
    files.refuse_inputs(tmp_path / "-", ["-"])
    files.refuse_inputs("-", ["-", tmp_path / "other.yaml"])
    with pytest.raises(OutputError, match=r"is also an input \(\./-\)"):
        files.refuse_inputs(tmp_path / "-", ["./-"])


@pytest.mark.skipif(not READ_ONLY.is_file(), reason="no sysfs attribute to stand for a file that cannot be written")
def test_an_open_file_that_cannot_be_opened_for_writing_is_named_with_the_reason(tmp_path):
    """A link to /proc/self/fd/N whose file refuses writing says it is an open file and why, as the system puts it."""
    link = tmp_path / "stdout"
    with open(READ_ONLY, "rb") as fh:
        os.symlink(f"/proc/self/fd/{fh.fileno()}", link)
        with pytest.raises(OutputError) as info:
            write_atomic(link, "x")
    assert str(info.value) == f"{link}: cannot write to an open file: Permission denied"
    assert os.path.islink(link)


def test_a_link_still_a_link_after_the_kernels_forty_is_no_descriptor(tmp_path):
    """Links are followed at most 40 times, the kernel's limit: a loop, or 40 links before /proc/self/fd/N, is none."""
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    assert files._names_descriptor(tmp_path / "a") is False
    with open(tmp_path / "out.txt", "ab") as fh:
        previous = f"/proc/self/fd/{fh.fileno()}"
        for i in range(40):
            os.symlink(previous, tmp_path / f"l{i}")
            previous = str(tmp_path / f"l{i}")
        assert files._names_descriptor(tmp_path / "l0") is True  # one link away
        assert files._names_descriptor(tmp_path / "l39") is False


def test_a_fifo_takes_more_than_a_pipe_holds_while_its_reader_is_slow(tmp_path):
    """Text larger than the pipe's buffer reaches a reader that starts reading late: the write waits, it never fails."""
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    text = "0123456789abcdef" * 65536  # 1 MiB, many times a pipe's 64 KiB
    got = []

    def read():
        with open(fifo, "rb") as fh:
            time.sleep(0.2)  # let the writer fill the pipe first
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for _ in range(200):  # until the reader has the FIFO open
        try:
            write_atomic(fifo, text)
            break
        except OutputError as exc:
            assert str(exc).endswith("no program is reading it"), exc
            time.sleep(0.01)
    reader.join(10)
    assert got == [text.encode()]


def test_without_o_noctty_and_o_nonblock_a_fifo_and_a_terminal_are_still_written(tmp_path, monkeypatch):
    """Where os has no O_NOCTTY and no O_NONBLOCK (Windows), a FIFO with a reader and a terminal still take the text."""
    monkeypatch.delattr(os, "O_NOCTTY")
    monkeypatch.delattr(os, "O_NONBLOCK")
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        write_atomic(fifo, "through the pipe\n")  # opening waits for the reader
    finally:
        reader.join(5)
        if reader.is_alive():  # release the reader the write never reached
            os.close(os.open(fifo, os.O_WRONLY))
    assert got == [b"through the pipe\n"]
    master, slave = os.openpty()
    try:
        write_atomic(os.ttyname(slave), "to the terminal\n")
        assert os.read(master, 100) == b"to the terminal\r\n"
    finally:
        os.close(slave)
        os.close(master)


def test_a_folder_that_cannot_be_made_is_an_error_and_the_parents_made_are_removed(tmp_path, monkeypatch):
    """When the deepest folder cannot be created, the error names it with the reason and the parents made go again."""
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name == "deep":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    deep = tmp_path / "new" / "mid" / "deep"
    with pytest.raises(OutputError) as info:
        files.make_folders(deep)
    assert str(info.value) == f"{deep}: cannot create the folder: No space left on device"
    assert info.value.path == str(deep)
    assert list(tmp_path.iterdir()) == []


def test_folders_made_are_listed_deepest_first_and_existing_ones_are_not(tmp_path):
    """make_folders creates the missing folders and returns just those, deepest first; remove_folders undoes them."""
    (tmp_path / "doc").mkdir()
    made = files.make_folders(tmp_path / "doc" / "adr" / "2026")
    assert made == [tmp_path / "doc" / "adr" / "2026", tmp_path / "doc" / "adr"]
    assert (tmp_path / "doc" / "adr" / "2026").is_dir()
    files.remove_folders(made)
    assert list(tmp_path.iterdir()) == [tmp_path / "doc"] and list((tmp_path / "doc").iterdir()) == []


def test_paths_are_shown_relative_to_the_start_when_inside_it_and_as_given_otherwise(tmp_path):
    """An absolute path inside the start folder is shown relative to it; one outside, or a relative one, as given."""
    assert files.display_path(tmp_path / "doc" / "adr" / "0001-w.md", tmp_path) == "doc/adr/0001-w.md"
    assert files.display_path(str(tmp_path / "w.yaml"), tmp_path) == "w.yaml"
    assert files.display_path("/elsewhere/w.yaml", tmp_path) == "/elsewhere/w.yaml"
    assert files.display_path("a/../w.yaml", tmp_path) == "a/../w.yaml"
