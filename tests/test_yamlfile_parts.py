"""The safe YAML reader in detail: each refusal's message and line, the limits at their boundary, key lines."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest

from advisor import yamlfile
from advisor.errors import InputError, RulePackError


@pytest.fixture(autouse=True)
def fresh_plain_values(monkeypatch):
    """Each test reads plain values afresh, not from what earlier reading remembered."""
    monkeypatch.setattr(yamlfile, "_plain_cache", {})


def refusal(text: str) -> str:
    """The one-line refusal of parsing ``text`` from w.yaml."""
    with pytest.raises(InputError) as info:
        yamlfile.parse(text, "w.yaml")
    return str(info.value)


def read_refusal(path) -> str:
    """The one-line refusal of reading the file at ``path``."""
    with pytest.raises(InputError) as info:
        yamlfile.read_text(path)
    return str(info.value)


# --- key lines ------------------------------------------------------------------------------


def test_line_of_walks_back_to_the_deepest_known_key():
    """A path below the known keys is located at the deepest key it passes; an unknown one at the root."""
    doc = yamlfile.Document(data={}, source="w.yaml", lines={(): 1, ("a",): 2, ("a", "b"): 3})
    assert doc.line_of(("a", "b", "c")) == 3
    assert doc.line_of(("a", "x", "y")) == 2
    assert doc.line_of(("z",)) == 1 and doc.line_of(()) == 1
    assert yamlfile.Document(data={}, source="w.yaml", lines={("a",): 2}).line_of(("z",)) is None


def test_parse_remembers_the_line_of_every_key_and_item():
    """Keys and list items are located on the lines they are written on."""
    doc = yamlfile.parse("# head\nname: w\nlist:\n  - x\n  - {k: v}\n", "w.yaml")
    assert doc.data == {"name": "w", "list": ["x", {"k": "v"}]}
    assert doc.lines == {(): 2, ("name",): 2, ("list",): 3, ("list", 0): 4, ("list", 1): 5, ("list", 1, "k"): 5}


def test_load_reads_and_parses_a_file_with_the_callers_error(write):
    """load gives the parsed document of a file, and refuses with the error kind it is handed."""
    doc = yamlfile.load(write("w.yaml", "a: b\n"))
    assert (doc.data, doc.lines) == ({"a": "b"}, {(): 1, ("a",): 1})
    path = write("dup.yaml", "a: b\na: c\n")
    with pytest.raises(RulePackError) as info:
        yamlfile.load(path, RulePackError)
    assert str(info.value) == f"{path}:2: duplicate key 'a'"
    with pytest.raises(RulePackError) as info:
        yamlfile.load(path.with_name("missing.yaml"), RulePackError)
    assert str(info.value) == f"{path.with_name('missing.yaml')}: no such file"


# --- plain values -----------------------------------------------------------------------------


def test_plain_values_are_read_in_one_pass_as_yaml_reads_them(monkeypatch):
    """Text, true/false in any case, and the nulls are read in one pass to what YAML means by them, every time."""
    text = "a: true\nb: False\nc: ~\nd: null\ne: NULL\nf: text\ng: ''\nh: 'true'\ni: TRUE\n"
    expected = {"a": True, "b": False, "c": None, "d": None, "e": None, "f": "text", "g": "", "h": "true", "i": True}

    def never(*args):
        raise AssertionError("composed")

    monkeypatch.setattr(yamlfile, "_compose", never)
    for _ in range(2):  # the second time from the values remembered
        assert yamlfile.parse(text, "w.yaml").data == expected


def test_numbers_and_dates_are_left_to_the_composers():
    """A number, a float or a date is not read in one pass, so it keeps the type the full loader gives it."""
    for text in ("n: 12\n", "f: 1.5\n", "d: 2024-01-01\n", "n: 0x1f\n"):
        assert yamlfile._one_pass(text, "w.yaml") is None, text
    assert yamlfile.parse("n: 12\nf: 1.5\nd: 2024-01-01\n", "w.yaml").data == {
        "n": 12, "f": 1.5, "d": dt.date(2024, 1, 1),
    }


def test_the_memory_of_plain_values_stays_bounded():
    """However many distinct values are read, at most 4096 are remembered."""
    sizes = set()
    for i in range(yamlfile._PLAIN_KEPT + 10):
        assert yamlfile._plain(f"v{i}") == f"v{i}"
        sizes.add(len(yamlfile._plain_cache))
    assert max(sizes) == yamlfile._PLAIN_KEPT


# --- reading bytes ---------------------------------------------------------------------------


def test_read_text_refuses_what_cannot_be_read_each_with_its_reason(tmp_path, write):
    """A folder, a missing file, a path through a file, and a file too big are refused in their own words."""
    assert read_refusal(tmp_path) == f"{tmp_path}: is a folder, not a file"
    missing = tmp_path / "missing.yaml"
    assert read_refusal(missing) == f"{missing}: no such file"
    through = write("plain.txt", "x") / "w.yaml"
    assert read_refusal(through) == f"{through}: cannot read: Not a directory"
    big = write("big.yaml", b"#" * (yamlfile.MAX_BYTES + 1))
    with pytest.raises(RulePackError) as info:
        yamlfile.read_text(big, RulePackError)
    assert str(info.value) == f"{big}: file is larger than 1024 KiB"


def test_a_fifo_is_refused_as_not_a_regular_file(tmp_path):
    """A FIFO is refused at once, saying what it is."""
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as info:
        yamlfile.read_text(fifo)
    assert str(info.value) == f"{fifo}: is a FIFO, not a regular file"


def test_an_unreadable_file_is_refused_as_permission_denied(write, monkeypatch):
    """A file the user may not read is refused with 'permission denied' and its path."""
    path = write("w.yaml", "a: b\n")

    def denied(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(yamlfile, "read_regular", denied)
    assert read_refusal(path) == f"{path}: permission denied"


def test_bytes_that_are_not_utf8_are_located_by_line_and_offset(write):
    """The first byte that is not UTF-8 is named in hex with its offset, on its line (a leading break counted)."""
    path = write("w.yaml", b"\n# c\nc: \xff\n")
    with pytest.raises(InputError) as info:
        yamlfile.read_text(path)
    assert str(info.value) == f"{path}:3: not UTF-8 text (byte 0xff at offset 8)"
    assert info.value.line == 3


def test_a_byte_order_mark_is_dropped(write):
    """A UTF-8 byte order mark at the start is not part of the text."""
    path = write("w.yaml", "\ufeffa: b\n".encode())
    assert yamlfile.read_text(path) == ("a: b\n", str(path))


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_standard_input_is_read_as_stdin(monkeypatch):
    """'-' reads standard input, named <stdin> in messages."""
    monkeypatch.setattr(sys, "stdin", _Stdin(b"a: b\n"))
    assert yamlfile.read_text("-") == ("a: b\n", "<stdin>")


def test_standard_input_over_the_limit_is_refused_after_one_byte_more(monkeypatch):
    """Input one byte past 1 MiB is refused as <stdin>, and no more than that one byte past the limit is read."""
    stdin = _Stdin(b"#" * (yamlfile.MAX_BYTES + 100))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError) as info:
        yamlfile.read_text("-")
    assert str(info.value) == "<stdin>: file is larger than 1024 KiB"
    assert stdin.buffer.tell() == yamlfile.MAX_BYTES + 1
    monkeypatch.setattr(sys, "stdin", _Stdin(b"#" * (yamlfile.MAX_BYTES)))
    assert len(yamlfile.read_text("-")[0]) == yamlfile.MAX_BYTES


# --- refusals while parsing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\x00\n", "w.yaml: contains NUL bytes; not a text file"),
        ("", "w.yaml: is empty"),
        ("~\n", "w.yaml: is empty"),
        ("a: 1\nb: 2025-02-30\n", "w.yaml:2: '2025-02-30' is not a valid date (day is out of range for month)"),
        ("a: 1\nb: " + "1" * 5000 + "\n", "w.yaml:2: '" + "1" * 59 + "…' is too long a number"),
        ("a: 1\nb: [unclosed\n", "w.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("a: 1\n---\nb: 2\n", "w.yaml:2: invalid YAML: but found another document"),
        ("a: 1\nb: \x07\n", 'w.yaml: invalid YAML: unacceptable character #x0007: special characters are not allowed'
         '   in "<unicode string>", position 8'),
        ("a: !!float abc\n", "w.yaml: invalid value: could not convert string to float: 'abc'"),
        ("a: " + "[" * 1000 + "]" * 1000 + "\n", "w.yaml: nested too deeply"),
        ("a: 1\n? [a]\n: b\n", "w.yaml:2: a mapping key must be a plain value"),
        ("a: 1\nb: 2\na: 3\n", "w.yaml:3: duplicate key 'a'"),
        ("x: 1\nouter:\n  a: 1\n  a: 2\n", "w.yaml:4: duplicate key 'a'"),
        ("- x\n- a: 1\n  a: 2\n", "w.yaml:3: duplicate key 'a'"),
        ("a: &x 1\nb: *x\n", "w.yaml:2: YAML aliases (*name) are not allowed"),
    ],
)
def test_each_refusal_names_the_file_its_line_and_what_is_wrong(text, expected):
    """Every kind of input the reader refuses gives one line: file, line where known, and the reason."""
    assert refusal(text) == expected


def test_a_refusal_is_the_error_kind_the_caller_names():
    """A pack's reader gets RulePackError, not InputError, for the same problem."""
    with pytest.raises(RulePackError) as info:
        yamlfile.parse("a: b\x00\n", "p.yaml", RulePackError)
    assert str(info.value) == "p.yaml: contains NUL bytes; not a text file"


YAML11 = "is a boolean to YAML 1.1 (advisor) but text to YAML 1.2 (editors); write true or false, or quote it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: yes\n", f"w.yaml:2: b: 'yes' {YAML11}"),
        ("- x\n- on\n", f"w.yaml:2: 1: 'on' {YAML11}"),
        ("x:\n  y: [a, Off]\n", f"w.yaml:2: x.y.1: 'Off' {YAML11}"),
        ("x:\n  - y: no\n", f"w.yaml:2: x.0.y: 'no' {YAML11}"),
    ],
)
def test_yaml11_booleans_are_refused_at_their_path(text, expected):
    """yes/no/on/off written plain are refused with their line and the path of the value."""
    assert refusal(text) == expected


def test_quoted_yes_and_no_are_text():
    """Quoted, yes and no are text, in both quoting styles."""
    assert yamlfile.parse("a: 'yes'\nb: \"no\"\nc: true\n", "w.yaml").data == {"a": "yes", "b": "no", "c": True}


# --- the fast path's limits ------------------------------------------------------------------


def test_the_fast_reader_is_used_only_within_its_limits():
    """libyaml reads text of at most 64 Ki characters and 256 flow brackets, without a backquote."""
    assert yamlfile._fast_path_safe("#" * yamlfile._FAST_MAX_CHARS)
    assert not yamlfile._fast_path_safe("#" * (yamlfile._FAST_MAX_CHARS + 1))
    assert yamlfile._fast_path_safe("[" * 128 + "{" * 128)
    assert not yamlfile._fast_path_safe("[" * 200 + "{" * 57)
    assert not yamlfile._fast_path_safe("{" * 257)
    assert not yamlfile._fast_path_safe("a: `b`\n")


# --- words for messages ------------------------------------------------------------------------


def test_cut_keeps_60_characters_and_shortens_longer_text():
    """Text of up to 60 characters is echoed whole; longer is cut to 59 and an ellipsis."""
    assert yamlfile.cut("x" * 60) == "x" * 60
    assert yamlfile.cut("x" * 61) == "x" * 59 + "…"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "nothing"),
        (True, "true/false"),
        ({}, "a mapping"),
        ([], "a list"),
        ((1,), "a list"),
        (3, "a number"),
        (1.5, "a number"),
        (dt.datetime(2024, 1, 1, 12, 0), "a date and time"),
        (dt.date(2024, 1, 1), "a date"),
        (b"\x00", "binary data (!!binary)"),
        ({1}, "a set (!!set)"),
        ("s", "a string"),
        (complex(1, 2), "a value of type complex"),
    ],
)
def test_describe_names_each_kind_of_value(value, words):
    """Each kind of value YAML can give is named in the words messages use."""
    assert yamlfile.describe(value) == words
