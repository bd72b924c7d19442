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
