"""The Russian HTML report in a real browser: its Cyrillic text is drawn in glyphs, not in
the boxes a browser draws for characters no font has ("tofu").

Headless Chromium loads the report and says, over the DevTools protocol, which platform
fonts it drew each Cyrillic text in; fontconfig, which Chromium finds its fonts with,
says whether each of those fonts has a glyph for every Cyrillic letter the report uses.
A browser with no font for a character still names a font (the one whose empty box it
drew), so the control page, whose Cyrillic is replaced by a character no font has, must
fail the same check.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from advisor.cli import cli

from .conftest import EXAMPLES
from .devtools import Browser
from .test_report_browser import CHROMIUM

FC_LIST = shutil.which("fc-list")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (Debian: apt-get install chromium)"),
    pytest.mark.skipif(FC_LIST is None, reason="no fc-list (Debian: apt-get install fontconfig) to read fonts"),
]

CYRILLIC = re.compile("[А-Яа-яЁё]")
UNASSIGNED = "\u0378"  # no character is assigned to U+0378, so no font has a glyph for it
# Marks each element whose own text holds a letter of the given class, so its fonts can be asked for.
MARK = """
for (const element of document.querySelectorAll('body *')) {
  const own = [...element.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('');
  if (/[%s]/.test(own)) element.setAttribute('data-probe', '');
}
document.querySelectorAll('[data-probe]').length
"""


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


def _drawn_in(folder, page: str, letters: str) -> dict[str, int]:
    """The fonts Chromium draws the page's elements holding any of letters in, with glyph counts."""
    path = folder / "page.html"
    path.write_text(page, encoding="utf-8")
    with Browser(CHROMIUM, folder / "profile") as browser:
        browser.open(path.as_uri())
        assert browser.evaluate(MARK % letters) > 20
        return browser.fonts_drawing("[data-probe]")


def _has_glyphs(family: str, letters: set[str]) -> bool:
    """Whether fontconfig knows a font of family with a glyph for each of letters."""
    escaped = re.sub(r"([\\:,=-])", r"\\\1", family)
    charset = " ".join(f"{ord(c):x}" for c in sorted(letters))
    found = subprocess.run(
        [FC_LIST, f"{escaped}:charset={charset}", "family"], capture_output=True, text=True, timeout=30, check=True
    )
    return bool(found.stdout.strip())


def test_the_russian_report_is_drawn_in_fonts_with_cyrillic_glyphs(page, tmp_path):
    """Every font Chromium draws the report's Cyrillic text in has a glyph for each Cyrillic letter it uses."""
    letters = set(CYRILLIC.findall(page))
    fonts = _drawn_in(tmp_path, page, "А-Яа-яЁё")
    assert fonts and sum(fonts.values()) > 1000
    lacking = [family for family in fonts if not _has_glyphs(family, letters)]
    assert not lacking, f"drawn in fonts without Cyrillic glyphs: {lacking}"


def test_a_character_no_font_has_fails_the_same_check(page, tmp_path):
    """Control: with its Cyrillic replaced by an unassigned character, the page is drawn in a font lacking it."""
    fonts = _drawn_in(tmp_path, CYRILLIC.sub(UNASSIGNED, page), UNASSIGNED)
    assert fonts
    assert not all(_has_glyphs(family, {UNASSIGNED}) for family in fonts)
