"""The Russian HTML report in a real browser: its Cyrillic text is drawn in glyphs, not in
the boxes a browser draws for characters no font has ("tofu").

A missing glyph is drawn as the same box whatever the character, so two pages that differ
only in which missing characters they hold look the same; the control shows this
browser does so. The Russian report is then compared with the same page whose Cyrillic
letters are replaced by such characters, and with the page whose Cyrillic letters are
shifted by one: real glyphs make both differ.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops

from advisor.cli import cli

from .conftest import EXAMPLES
from .test_report_browser import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install chromium); the browser is not available"
)

CYRILLIC = re.compile("[А-Яа-яЁё]")
# Characters of the Private Use Area: no font installed for the reports has a glyph for them.
MISSING = ("\ue000", "\ue001")


def _shifted(match: re.Match[str]) -> str:
    letter = match.group(0)
    if letter in "Ёё":
        return "Ж" if letter == "Ё" else "ж"
    base = ord("А") if letter <= "Я" else ord("а")
    return chr(base + (ord(letter) - base + 1) % 32)


def _shot(folder, name: str, page: str) -> Image.Image:
    path = folder / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    png = folder / f"{name}.png"
    chromium(folder / f"profile-{name}", f"--screenshot={png}", path.as_uri())
    return Image.open(png).convert("RGB")


def _differ(a: Image.Image, b: Image.Image) -> bool:
    return ImageChops.difference(a, b).getbbox() is not None


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    """The Russian HTML report of plugin-platform, as advisor decide writes it."""
    out = tmp_path_factory.mktemp("ru") / "report.html"
    result = CliRunner().invoke(
        cli, ["decide", str(EXAMPLES / "plugin-platform.yaml"), "-f", "html", "--lang", "ru", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert len(CYRILLIC.findall(text)) > 1000 and '<html lang="ru">' in text
    return text


def test_missing_glyphs_are_drawn_alike_so_tofu_would_be_seen(page, tmp_path):
    """Control: the page with its Cyrillic replaced by one missing character or by another looks the same."""
    first, second = (_shot(tmp_path, f"missing{i}", CYRILLIC.sub(c, page)) for i, c in enumerate(MISSING))
    assert not _differ(first, second)


def test_the_russian_report_draws_cyrillic_glyphs(page, tmp_path):
    """The Russian report differs from its tofu version and from its Cyrillic shifted by a letter."""
    russian = _shot(tmp_path, "russian", page)
    tofu = _shot(tmp_path, "tofu", CYRILLIC.sub(MISSING[0], page))
    shifted = _shot(tmp_path, "shifted", CYRILLIC.sub(_shifted, page))
    assert _differ(russian, tofu)
    assert _differ(russian, shifted)
