"""Reports in English and in Russian: the packs' own texts in both languages, the Russian
reports of real examples (golden files), no English left untranslated in them, the lint
of a missing translation, and the check's language from --lang or the policy."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml

from advisor.api import decide
from advisor.cli import cli
from advisor.formats import RenderOptions, render
from advisor.packrecords import Localized
from advisor.resources import templates_dir
from advisor.rulepack import load_pack, load_rules

from .conftest import EXAMPLES, ROOT, assert_golden

PACKS = {
    "docker-vs-vm": ["plugin-platform.yaml", "payments-api.yaml", "legacy-erp.yaml", "kernel-module-ci.yaml",
                     "distro-package-tests.yaml", "node-security-agent.yaml", "tuned-postgres.yaml"],
    "isolation-ladder": ["ladder/code-playground.yaml", "ladder/payments-core.yaml", "ladder/upload-thumbnailer.yaml",
                         "ladder/windows-agents.yaml", "ladder/internal-api.yaml", "ladder/packet-filter.yaml"],
}
HALF = ROOT / "tests" / "packs" / "half-translated.yaml"


def _report(example: str, fmt: str, lang: str, pack: str = "docker-vs-vm") -> str:
    decision = decide(EXAMPLES / example, load_rules(pack), lang=lang)
    return render("decision", fmt, decision, RenderOptions(date="2026-01-15", lang=lang))


@pytest.mark.parametrize(("fmt", "suffix"), [("md", "md"), ("html", "html"), ("text", "txt")])
def test_the_russian_report_of_a_real_example_matches_its_golden_file(fmt, suffix):
    """plugin-platform decided with the default pack in Russian gives exactly its golden report."""
    assert_golden(f"decision.ru.{suffix}", _report("plugin-platform.yaml", fmt, "ru"))


def test_a_plain_string_is_english_and_a_mapping_carries_the_russian():
    """A pack text written as a string is English only; written as {en, ru} it has both."""
    pack = load_pack(HALF)
    plain, both = pack.rule("high-isolation").because, pack.rule("strict-isolation").because
    assert isinstance(plain, Localized) and str(plain) == "A VM isolates more strongly."
    assert not plain.has("ru") and plain.in_lang("ru") == "A VM isolates more strongly."
    assert str(both) == "Strict isolation needs a kernel of its own."
    assert both.in_lang("ru") == "Строгой изоляции нужно собственное ядро."
    assert pack.dimensions["isolation"].title.in_lang("ru") == "Изоляция и безопасность"


@pytest.mark.parametrize(
    ("because", "message"),
    [
        ("{en: A, de: B}", "'because' has an unknown language 'de'; a text is written in en or ru"),
        ("{ru: Б}", "'because' has no 'en' text; English is the language every text is written in"),
        ("{en: A, ru: ''}", "'because' in 'ru' must be a non-empty string"),
    ],
)
def test_a_badly_written_translation_is_refused_at_its_line(write, runner, because, message):
    """A text with an unknown language, no English or an empty translation is a pack problem at its rule's line."""
    text = HALF.read_text(encoding="utf-8").replace("because: A VM isolates more strongly.", f"because: {because}")
    result = runner.invoke(cli, ["rules", "lint", str(write("p.yaml", text))])
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0].endswith(f"p.yaml:44: high-isolation: {message}")


def test_a_russian_decision_carries_the_packs_russian_texts():
    """Decided in Russian, the decision's reasons, titles, summaries, next steps and dimensions are the pack's."""
    pack = load_rules()
    d = decide(EXAMPLES / "plugin-platform.yaml", pack, lang="ru")
    assert d.rule("untrusted-code").because == pack.rule("untrusted-code").because.in_lang("ru")
    assert d.option("vm").title == "Виртуальные машины"
    assert d.option("vm").summary.startswith("Полная гостевая система")
    assert d.option("vm").next_steps[0]["text"].startswith("Соберите эталонный образ")
    assert d.dimensions[0].title == "Архитектура"
    assert d.pack.title == "Контейнеры Docker или виртуальные машины"
    english = decide(EXAMPLES / "plugin-platform.yaml", pack)
    assert english.option("vm").title == "Virtual machines" and english.pack.title == pack.title


def _english_pack_texts(pack) -> set[str]:
    texts = {pack.title, *(d.title for d in pack.dimensions.values())}
    for option in pack.options.values():
        texts |= {option.title, option.summary, *(s["text"] for s in option.next_steps)}
    texts |= {r.because for r in pack.rules}
    return {str(t) for t in texts if isinstance(t, Localized) and t.in_lang("ru") != str(t)}


def _english_sentences() -> set[str]:
    """The literal parts (between placeholders) of every template sentence whose Russian differs, long enough
    to be English prose rather than a name or a word both languages share."""
    catalogue = yaml.safe_load((templates_dir() / "i18n" / "ru.yaml").read_text(encoding="utf-8"))
    parts = set()
    for msgid, translated in catalogue.items():
        if translated == msgid:
            continue
        parts |= {p.strip() for p in re.split(r"%\(\w+\)[sd]", msgid) if len(p.strip()) >= 24}
    return parts


def _plain(text: str) -> str:
    """Text with markup and line breaks taken out, so a sentence wrapped or tagged is still found."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.replace("\\", "").split())


@pytest.mark.parametrize("pack_name", list(PACKS))
def test_no_english_is_left_untranslated_in_russian_reports(pack_name):
    """Over several examples of each shipped pack, the Russian text, md and html reports hold no English pack
    text, no English template sentence and no English paraphrase of a claim."""
    pack = load_rules(pack_name)
    english = _english_pack_texts(pack) | _english_sentences()
    english |= {c.text for c in pack.claims.values()}
    assert len(english) > 60
    # The names of the documents and their sections are theirs, in the language they are written in.
    names = sorted({c.section for c in pack.claims.values()} | {d.title for d in pack.documents.values()}, key=len)
    for example in PACKS[pack_name]:
        for fmt in ("text", "md", "html"):
            shown = _plain(_report(example, fmt, "ru", pack_name))
            for name in reversed(names):
                shown = shown.replace(name, "")
            left = [e for e in english if " ".join(e.split()) in shown]
            assert left == [], (example, fmt, left[:3])


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_claims_are_quoted_alone_in_russian_and_with_their_paraphrase_in_english(fmt):
    """A cited claim shows its original words in both languages, and its English paraphrase only in English."""
    pack = load_rules("isolation-ladder")
    decision = decide(EXAMPLES / "ladder/code-playground.yaml", pack)
    for lang in ("en", "ru"):
        shown = _plain(_report("ladder/code-playground.yaml", fmt, lang, "isolation-ladder"))
        for claim in decision.claims:
            assert " ".join(claim.quote.split()) in shown, (lang, claim.id)
            assert (" ".join(claim.text.split()) in shown) == (lang == "en"), (lang, claim.id)


def test_lint_warns_of_a_missing_translation_in_a_pack_of_ones_own(runner):
    """A pack outside the shipped ones may lack translations: each is a warning line, and lint exits 0."""
    result = runner.invoke(cli, ["rules", "lint", str(HALF)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{HALF}:25: docker: next_steps[1] has no ru translation (warning)",
        f"{HALF}:27: vm: title has no ru translation (warning)",
        f"{HALF}:44: high-isolation: because has no ru translation (warning)",
        f"{HALF}: ok: 2 rules, 2 options",
    ]


def test_lint_fails_a_shipped_pack_that_lacks_a_translation(runner, monkeypatch):
    """In a shipped pack a missing translation is a problem (file:line: rule-id: what), and lint exits 2."""
    import advisor.resources as resources

    monkeypatch.setattr(resources, "shipped_packs", lambda: {"half-translated": HALF})
    result = runner.invoke(cli, ["rules", "lint"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{HALF}:25: docker: next_steps[1] has no ru translation",
        f"{HALF}:27: vm: title has no ru translation",
        f"{HALF}:44: high-isolation: because has no ru translation",
    ]
    assert result.stderr == "advisor: 3 problems found\n"


def test_the_shipped_packs_are_translated_throughout(runner):
    """Every text of both shipped packs has its Russian: lint passes them."""
    from advisor.packlint import untranslated

    for name in PACKS:
        assert untranslated(load_rules(name)) == [], name


# --- advisor check ------------------------------------------------------------------------

def _check(runner, *args: str):
    return runner.invoke(cli, ["check", str(EXAMPLES / "plugin-platform.yaml"), "--no-color", *args])


def test_check_lang_ru_words_the_finding_in_russian(runner):
    """check --lang ru says the finding, the summary and the policy line in Russian."""
    result = _check(runner, "--lang", "ru")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        "plugin-platform.yaml:3: plugin-platform: заявляет docker, который исключает правило untrusted-code; "
        "advisor рекомендует vm"
    )
    assert lines[2] == "1 файл: прошли 0, с предупреждением 0, не прошли 1, не проверены 0, 0 ошибок"
    assert lines[3].startswith("политика по умолчанию: допустимый разрыв 3, провал при mismatch; набор правил")


def test_check_json_keeps_english_keys_and_ids_in_russian(runner):
    """In Russian the JSON result has the same keys, ids and verdicts as in English; only its wording differs."""
    en, ru = (json.loads(_check(runner, "-f", "json", "--lang", lang).stdout) for lang in ("en", "ru"))

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items() if k not in ("message", "because", "condition", "title")}
        return [shape(v) for v in value] if isinstance(value, list) else value

    assert shape(en) == shape(ru)
    assert ru["results"][0]["message"].endswith("advisor рекомендует vm")
    assert ru["rules"][0]["because"].startswith("Код арендаторов")


@pytest.mark.parametrize("fmt", ["sarif", "junit", "html"])
def test_check_formats_are_worded_in_russian(runner, fmt):
    """SARIF, JUnit and the fleet page carry the Russian finding; SARIF quotes the claims in their own words."""
    out = _check(runner, "-f", fmt, "--lang", "ru").stdout
    assert "заявляет docker, который исключает правило untrusted-code" in out
    if fmt == "sarif":
        help_text = json.loads(out)["runs"][0]["tool"]["driver"]["rules"][0]["help"]["text"]
        assert "«Виртуальная машина обеспечивает более высокий уровень изоляции" in help_text
        assert "A VM isolates more strongly" not in help_text
    if fmt == "html":
        assert '<html lang="ru">' in out and "Вердикты" in out and "Verdicts" not in out


def test_policy_lang_words_the_check_and_the_flag_overrides_it(runner, write):
    """lang: ru in the policy words the check in Russian; --lang en on the command line wins over it."""
    policy = write("policy.yaml", "lang: ru\n")
    assert "advisor рекомендует vm" in _check(runner, "--policy", str(policy)).stdout
    english = _check(runner, "--policy", str(policy), "--lang", "en").stdout
    assert "advisor recommends vm" in english and "рекомендует" not in english


def test_policy_lang_must_be_a_language_advisor_writes(runner, write):
    """lang: de in the policy is bad input: exit 2 and one line naming file:line: lang."""
    policy = write("policy.yaml", "margin: 3\nlang: de\n")
    result = _check(runner, "--policy", str(policy))
    assert result.exit_code == 2
    assert result.stderr == f"advisor: {policy}:2: lang: must be one of en, ru, got a string 'de'\n"


def test_a_russian_record_keeps_its_english_title_and_file_name(runner, tmp_path, monkeypatch):
    """adr --lang ru writes the record in Russian, under the English title and file name it always had."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["adr", str(EXAMPLES / "plugin-platform.yaml"), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    record = tmp_path / "doc" / "adr" / "0001-run-plugin-platform-on-virtual-machines.md"
    text = record.read_text(encoding="utf-8")
    assert "# Run plugin-platform on Virtual machines\n" in text
    assert "Выбран вариант «Виртуальные машины»" in text


def test_a_madr_record_quotes_claims_alone_in_russian_and_with_their_paraphrase_in_english(runner):
    """In a MADR record a cited claim is quoted in both languages, and paraphrased only in English."""
    claim = load_rules().claims["S2.vm"]
    for lang in ("en", "ru"):
        result = runner.invoke(
            cli, ["adr", str(EXAMPLES / "plugin-platform.yaml"), "--template", "madr", "--output", "-", "--lang", lang]
        )
        assert result.exit_code == 0, result.output
        shown = " ".join(result.stdout.replace("\\", "").split())
        assert " ".join(claim.quote.split()) in shown, lang
        assert (claim.text in shown) == (lang == "en"), lang


def test_lint_asks_no_translation_of_dimensions_the_pack_does_not_write(runner, tmp_path):
    """A pack without a dimensions block (titled by the default ids) is not told to translate them."""
    text = HALF.read_text(encoding="utf-8").replace(
        "dimensions:\n  isolation: {en: Isolation and security, ru: Изоляция и безопасность}\n", ""
    )
    path = tmp_path / "no-dimensions.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["rules", "lint", str(path)])
    assert result.exit_code == 0, result.output
    assert [line.split(": ", 1)[1] for line in result.stdout.splitlines()[:-1]] == [
        "docker: next_steps[1] has no ru translation (warning)",
        "vm: title has no ru translation (warning)",
        "high-isolation: because has no ru translation (warning)",
    ]
