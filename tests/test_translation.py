"""Reports in English and in Russian: every sentence translated, Russian plurals, the claims quoted as written."""

from __future__ import annotations

import re

import pytest

from advisor import translation
from advisor.cli import cli
from advisor.formats.templating import environment
from advisor.resources import templates_dir
from advisor.workload import field_specs

from .conftest import EXAMPLES

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def template_messages() -> dict[str, tuple[str, ...]]:
    """Every message the shipped templates translate: msgid -> its forms (one, or singular and plural)."""
    env = environment()
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(templates_dir().glob("*.j2")):
        for _, _, message in env.extract_translations(path.read_text(encoding="utf-8")):
            forms = (message,) if isinstance(message, str) else tuple(m for m in message if m)
            found[forms[0]] = forms
    return found


def test_every_template_message_has_a_russian_translation_with_the_same_placeholders():
    """Each _() and ngettext() message of every template is in the Russian catalogue, keeping its placeholders."""
    russian = translation.catalogue("ru")
    messages = template_messages()
    assert len(messages) > 100
    for msgid, forms in messages.items():
        assert msgid in russian, msgid
        wanted = set(PLACEHOLDER.findall(msgid))
        translated = russian[msgid]
        if len(forms) == 2:
            assert isinstance(translated, list) and len(translated) == 3, msgid
        for text in translated if isinstance(translated, list) else [translated]:
            assert set(PLACEHOLDER.findall(text)) == wanted, (msgid, text)


def test_every_requirement_field_is_worded_in_russian():
    """Each field's title, help and value descriptions have a Russian translation."""
    russian = translation.catalogue("ru")
    for spec in field_specs():
        for text in (spec.title, spec.help, *spec.choices.values()):
            assert text in russian, (spec.name, text)


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "0 баллов"), (1, "1 балл"), (2, "2 балла"), (4, "4 балла"), (5, "5 баллов"), (11, "11 баллов"),
     (12, "12 баллов"), (21, "21 балл"), (22, "22 балла"), (25, "25 баллов"), (111, "111 баллов"), (-3, "-3 балла")],
)
def test_russian_counts_take_the_right_plural_form(n, expected):
    """Points are counted as Russian grammar has it: 1 балл, 2 балла, 5 баллов, 11 баллов, 21 балл."""
    assert translation.ngettext("ru", "%(num)d point", "%(num)d points", n) % {"num": n} == expected


def english_fragments() -> list[str]:
    """Pieces of English template sentences long enough that they cannot be a name or an id (three words or more)."""
    pieces = set()
    for forms in template_messages().values():
        for form in forms:
            for piece in PLACEHOLDER.split(form)[::2]:
                piece = piece.strip(" ,.:;()\"“”")
                if len(piece.split()) >= 3:
                    pieces.add(piece)
    return sorted(pieces)


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
@pytest.mark.parametrize("example", ["plugin-platform.yaml", "payments-api.yaml", "legacy-erp.yaml"])
def test_no_english_template_sentence_is_left_in_a_russian_report(runner, fmt, example):
    """In --lang ru output no piece of an English template sentence remains untranslated."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / example), "--lang", "ru", "-f", fmt])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search("[а-яё]{4,}", out)
    left = [piece for piece in english_fragments() if piece in out]
    assert left == []


@pytest.mark.parametrize("fmt", ["madr", "nygard"])
def test_no_english_template_sentence_is_left_in_a_russian_record(runner, fmt):
    """An ADR written with --lang ru has no English template sentence (the headings tools read stay)."""
    result = runner.invoke(
        cli, ["adr", str(EXAMPLES / "payments-api.yaml"), "--lang", "ru", "--template", fmt, "--output", "-"]
    )
    assert result.exit_code == 0, result.output
    assert [piece for piece in english_fragments() if piece in result.stdout] == []
    assert ("Status: proposed" in result.stdout) if fmt == "madr" else ("## Status\n\nProposed" in result.stdout)


def test_the_russian_html_report_says_so_and_quotes_claims_without_the_paraphrase(runner):
    """The HTML carries lang="ru"; claims are quoted in the original, without the English paraphrase."""
    html = runner.invoke(cli, ["decide", str(EXAMPLES / "plugin-platform.yaml"), "--lang", "ru", "-f", "html"]).stdout
    english = runner.invoke(cli, ["decide", str(EXAMPLES / "plugin-platform.yaml"), "-f", "html"]).stdout
    assert '<html lang="ru">' in html and '<html lang="en">' in english
    assert "Виртуальная машина обеспечивает более высокий уровень изоляции" in html
    assert 'class="paraphrase">A VM isolates more strongly' in english
    assert 'class="paraphrase">A VM isolates more strongly' not in html


def test_the_json_keeps_english_keys_and_ids_in_russian(runner):
    """--lang ru changes wording only: the JSON's keys, ids, statuses and scores are those of English."""
    import json

    example = str(EXAMPLES / "payments-api.yaml")
    ru = json.loads(runner.invoke(cli, ["decide", example, "--lang", "ru", "-f", "json"]).stdout)
    en = json.loads(runner.invoke(cli, ["decide", example, "-f", "json"]).stdout)
    assert ru.keys() == en.keys()
    for key in ("status", "recommendation", "scores", "vetoes", "requirements", "unspecified"):
        assert ru[key] == en[key], key
    assert [r["rule"] for r in ru["fired"]] == [r["rule"] for r in en["fired"]]
    assert ru["fields"]["isolation"]["title"] == "Изоляция"


def test_an_unknown_language_is_refused(runner):
    """--lang de exits 2 naming the languages advisor writes."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml"), "--lang", "de"])
    assert result.exit_code == 2 and "'de' is not one of 'en', 'ru'" in result.stderr
