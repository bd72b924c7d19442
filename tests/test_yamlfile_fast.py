"""Reading YAML through libyaml gives what the pure loader gives: data, key lines and errors."""

from __future__ import annotations

import pytest

from advisor import yamlfile
from advisor.errors import InputError

from .conftest import EXAMPLES

pytestmark = pytest.mark.skipif(yamlfile._CLoader is None, reason="PyYAML was built without libyaml")


def both(text: str):
    """Parse with the fast path and with the pure loader; each is a Document or the error's text."""
    results = []
    for fast in (True, False):
        loader = yamlfile._CLoader
        try:
            if not fast:
                yamlfile._CLoader = None
            results.append(_outcome(text))
        finally:
            yamlfile._CLoader = loader
    return results


def _outcome(text: str):
    try:
        doc = yamlfile.parse(text, "w.yaml")
    except InputError as exc:
        return str(exc)
    return doc.data, doc.lines


@pytest.mark.parametrize(
    "path", sorted(p for p in EXAMPLES.rglob("*") if p.is_file()), ids=lambda p: str(p.relative_to(EXAMPLES))
)
def test_examples_read_alike(path):
    """Every example reads to the same data and key lines either way."""
    text = path.read_text(encoding="utf-8")
    assert yamlfile._fast_path_safe(text)
    fast, pure = both(text)
    assert fast == pure


@pytest.mark.parametrize(
    "text",
    [
        "name: a\nname: b\n",  # duplicate key
        "name: [unclosed\n",  # syntax error
        "a: 1\n b: 2\n",  # bad indentation
        "? [a, b]\n: c\n",  # a key that is not a plain value
        "",  # empty
        "---\na: 1\n---\nb: 2\n",  # two documents
        "a: !!python/object:os.system x\n",  # an unsafe tag
        "a: 2025-02-30\n",  # an impossible date
        "when: 2025-01-01\nn: 0x1F\nf: 1e3\nb: yes\nnull_: ~\n",  # implicit types
        "a: \u0085x\n",  # a character both readers treat specially
        '{"name": "a", "requirements": {"startup": "seconds"}}',  # JSON
    ],
)
def test_errors_and_types_read_alike(text):
    """Errors read the same way (same message and line), and implicit types resolve alike."""
    fast, pure = both(text)
    assert fast == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an alias: refused by the pure loader only
        "a: " + "[" * 300 + "]" * 300 + "\n",  # deep flow nesting: libyaml recurses unguarded
        "a: \x07\n",  # a character the pure reader refuses
    ],
)
def test_unsafe_inputs_take_the_pure_path(text):
    """Aliases, deep flow nesting and refused characters never reach libyaml."""
    assert not yamlfile._fast_path_safe(text)


def test_alias_still_refused():
    """An alias is refused with its line, as before."""
    with pytest.raises(InputError, match=r"w.yaml:2: YAML aliases"):
        yamlfile.parse("a: &x 1\nb: *x\n", "w.yaml")


def test_reading_small_and_growing_files(tmp_path):
    """Files are read whole up to the limit, and one byte over is refused."""
    small = tmp_path / "small.yaml"
    small.write_text("a: 1\n", encoding="utf-8")
    assert yamlfile.read_text(small) == ("a: 1\n", str(small))
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"#" * yamlfile.MAX_BYTES)
    assert len(yamlfile.read_text(exact)[0]) == yamlfile.MAX_BYTES
    over = tmp_path / "over.yaml"
    over.write_bytes(b"#" * (yamlfile.MAX_BYTES + 1))
    with pytest.raises(InputError, match="larger than"):
        yamlfile.read_text(over)


def test_random_documents_read_alike_wherever_the_fast_path_is_taken():
    """For thousands of random YAML fragments, libyaml is used only where it agrees with the pure loader."""
    import random

    rng = random.Random(20261129)
    pieces = ["name", "a", ":", " ", "\n", "-", "[", "]", "{", "}", ",", "'", '"', "#", "!", "&", "?", "|", ">",
              "%", "@", "`", "1", "2.5", "true", "null", "~", "yes", "2024-01-01", "  ", "\t", "\\", "é", "...",
              "---", "<<", "0x1f", "1e3", ".inf"]  # fmt: skip
    taken = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if yamlfile._fast_path_safe(text):
            taken += 1
            fast, pure = both(text)
            assert fast == pure, repr(text)
    assert taken > 1000


def one_pass_and_pure(text: str):
    """The one-pass reading (None where it leaves the text to the composers) and the pure loader's outcome."""
    doc = yamlfile._one_pass(text, "w.yaml")
    loader = yamlfile._CLoader
    try:
        yamlfile._CLoader = None
        pure = _outcome(text)
    finally:
        yamlfile._CLoader = loader
    return (None if doc is None else (doc.data, doc.lines)), pure


def random_document(rng, depth: int = 0) -> str:
    """A random block or flow YAML value, nested, with the scalars workload files hold and a few others."""
    scalars = ["high", "true", "False", "yes", "no", "on", "~", "null", "", "'true'", '"x: y"', "a b", "1", "0x1f",
               "2.5", "2024-01-01", "<<", "=", "é", "- x", "'quoted ''q'''", "service-0001", "a#b", "-", "NULL"]
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice(scalars)
    keys = ["name", "a", "requirements", "isolation", "true", "1", "''", "x y", "a", "null", "'name'"]
    items = rng.randint(0, 4)
    if roll < 0.55:
        return "[" + ", ".join(random_document(rng, depth + 2) for _ in range(items)) + "]"
    if roll < 0.65:
        return "{" + ", ".join(f"{rng.choice(keys)}: {random_document(rng, 4)}" for _ in range(items)) + "}"
    pad = "  " * (depth + 1)
    if roll < 0.8:
        return "".join(f"\n{pad}- {random_document(rng, depth + 1)}" for _ in range(items)) or "[]"
    return "".join(f"\n{pad}{rng.choice(keys)}: {random_document(rng, depth + 1)}" for _ in range(items)) or "{}"


def test_one_pass_reads_random_documents_as_the_pure_loader_does():
    """For thousands of random nested documents, the one-pass reading gives the pure loader's data and key lines,
    or leaves the document to the composers."""
    import random

    rng = random.Random(20261202)
    taken = 0
    for _ in range(4000):
        text = random_document(rng).lstrip("\n") + "\n"
        if not yamlfile._fast_path_safe(text):
            continue
        fast, pure = one_pass_and_pure(text)
        if fast is not None:
            taken += 1
            assert fast == pure, repr(text)
    assert taken > 1500


def test_one_pass_leaves_refusals_and_other_types_to_the_composers():
    """Duplicate keys, non-scalar keys, second and empty documents, numbers, dates and merge keys are not read in
    one pass, so their values and messages stay the composers'."""
    for text in ("a: 1\n", "a: b\na: c\n", "? [a]\n: b\n", "a: b\n---\nc: d\n", "", "~\n", "d: 2024-01-01\n",
                 "<<: {a: b}\n", "a: 1.5\n", "1: a\n"):
        assert yamlfile._one_pass(text, "w.yaml") is None, repr(text)


@pytest.mark.parametrize("path", sorted(p for p in EXAMPLES.rglob("*") if p.is_file()), ids=lambda p: p.name)
def test_examples_are_read_in_one_pass(path):
    """Every example workload is read in one pass, to what the pure loader reads."""
    fast, pure = one_pass_and_pure(path.read_text(encoding="utf-8"))
    assert fast is not None
    assert fast == pure
