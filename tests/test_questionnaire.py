"""The questionnaire driven through piped input: numbered prompts, one answer a line."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import questionnaire
from advisor.cli import cli
from advisor.questionnaire import MAX_TRIES, workload_yaml
from advisor.rulepack import load_pack
from advisor.workload import Requirements, Workload, field_specs, load_workload

from .conftest import EXAMPLES

SPECS = field_specs()
TOTAL = len(SPECS) + 1  # the requirements, then the declared platform


def answers(name: str, values: dict[str, Any], blank: str = "", declared: str = "") -> str:
    """Input lines that answer the questions: the name, each field's choice number (or blank),
    then the declared platform's."""
    lines = [name]
    for spec in SPECS:
        if spec.name in values:
            lines.append(str(list(spec.choices).index(values[spec.name]) + 1))
        else:
            lines.append(blank)
    lines.append(declared)
    return "\n".join(lines) + "\n"


def ask(runner, tmp_path: Path, text: str, *args: str):
    """Run `advisor ask --output tmp_path/w.yaml ARGS` with ``text`` on standard input."""
    return runner.invoke(cli, ["ask", "--output", str(tmp_path / "w.yaml"), *args], input=text)


PAYMENTS = load_workload(EXAMPLES / "payments-api.yaml")


def test_full_flow_saves_every_answer(runner, tmp_path):
    """Answering every question by number saves exactly those answers, in a file that loads back."""
    values = {spec.name: list(spec.choices)[-1] for spec in SPECS}
    result = ask(runner, tmp_path, answers("full", values))
    assert result.exit_code == 0, result.stderr
    saved = load_workload(tmp_path / "w.yaml")
    assert saved == Workload(name="full", requirements=Requirements(**values))


def test_questions_follow_the_model(runner, tmp_path):
    """Every dimension, field title and choice label of the model is asked, in model order."""
    result = ask(runner, tmp_path, answers("x", {}))
    transcript = result.stderr
    positions = [transcript.index(f"{i}/{TOTAL}  {spec.title}\n") for i, spec in enumerate(SPECS, 1)]
    assert positions == sorted(positions)
    for spec in SPECS:
        for label in spec.choices.values():
            assert label in transcript
    for title in (d.title for d in load_pack().dimensions.values()):
        assert f"\n{title}\n" in transcript


def test_blank_and_zero_skip(runner, tmp_path):
    """A blank answer (no default) and 0 both leave a field unspecified."""
    result = ask(runner, tmp_path, answers("s", {"isolation": "high"}, blank="0").replace("\n0\n", "\n\n", 1))
    assert result.exit_code == 0, result.stderr
    saved = load_workload(tmp_path / "w.yaml")
    assert saved.requirements.stated() == {"isolation": "high"}


def test_values_and_yes_no_are_accepted(runner, tmp_path):
    """An answer may be the value as written in the file, and yes/no fields take yes, no, y, n."""
    lines = answers("v", {}).splitlines()
    fields = [spec.name for spec in SPECS]
    lines[1 + fields.index("architecture")] = "Microservices"
    lines[1 + fields.index("full_os")] = "n"
    lines[1 + fields.index("untrusted_code")] = "yes"
    result = ask(runner, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, result.stderr
    stated = load_workload(tmp_path / "w.yaml").requirements.stated()
    assert stated == {"architecture": "microservices", "full_os": False, "untrusted_code": True}


def test_question_mark_shows_help_and_asks_again(runner, tmp_path):
    """? prints the field's help text from the model, then the same question takes the answer."""
    spec = SPECS[0]
    first = next(iter(spec.choices))
    text = answers("h", {spec.name: first})
    text = text.replace("h\n", "h\n?\n", 1)
    result = ask(runner, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert spec.help in result.stderr
    assert result.stderr.count(f"1/{TOTAL}  {spec.title}") == 1
    assert load_workload(tmp_path / "w.yaml").requirements.stated() == {spec.name: first}


def test_name_help_and_blank_name(runner, tmp_path):
    """The name question has help too, and an empty name is refused and asked again."""
    result = ask(runner, tmp_path, "?\n\n  named  \n" + answers("", {}).split("\n", 1)[1])
    assert result.exit_code == 0, result.stderr
    assert Workload.__dataclass_fields__["name"].metadata["description"] in result.stderr
    assert "try again" in result.stderr
    assert load_workload(tmp_path / "w.yaml").name == "named"


def test_invalid_answer_is_explained_and_asked_again(runner, tmp_path):
    """A wrong answer says what is accepted, and the question is asked again."""
    spec = SPECS[0]
    text = answers("i", {spec.name: list(spec.choices)[1]}).replace("i\n", "i\n7\nbanana\n", 1)
    result = ask(runner, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert "'7' is not an answer" in result.stderr
    assert "'banana' is not an answer" in result.stderr
    assert load_workload(tmp_path / "w.yaml").requirements.stated() == {spec.name: list(spec.choices)[1]}


def test_endless_wrong_answers_fail(runner, tmp_path):
    """A script that keeps answering wrongly (or asking for help) fails with exit 2, not a loop."""
    for junk in ("nope", "?"):
        result = ask(runner, tmp_path, "n\n" + f"{junk}\n" * 50)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == (
            f"advisor: <stdin>:{1 + MAX_TRIES}: requirements.{SPECS[0].name}: "
            f"no valid answer after {MAX_TRIES} tries; nothing written"
        )
        assert not (tmp_path / "w.yaml").exists()


def test_end_of_input_midway_is_an_error(runner, tmp_path):
    """Input that stops in the middle exits 2 naming the unanswered question, and writes nothing."""
    text = "".join(answers("e", {}).splitlines(keepends=True)[:4])
    result = ask(runner, tmp_path, text)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"advisor: <stdin>:5: requirements.{SPECS[3].name}: input ended before this question was answered; "
        "nothing written"
    )
    assert result.stdout == ""
    assert not (tmp_path / "w.yaml").exists()


def test_no_input_at_all_is_an_error(runner, tmp_path):
    """Empty standard input fails at the name question."""
    result = ask(runner, tmp_path, "")
    assert result.exit_code == 2
    assert "<stdin>:1: name: input ended" in result.stderr
    assert not (tmp_path / "w.yaml").exists()


def test_interrupt_exits_130_and_writes_nothing(runner, tmp_path, monkeypatch):
    """Ctrl-C at a question exits 130 and leaves no file."""
    real = questionnaire.LinePrompter._read
    calls = []

    def interrupted(self, prompt, field):
        calls.append(field)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return real(self, prompt, field)

    monkeypatch.setattr(questionnaire.LinePrompter, "_read", interrupted)
    result = ask(runner, tmp_path, answers("c", {}))
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert not (tmp_path / "w.yaml").exists()


def test_from_file_gives_the_defaults(runner, tmp_path):
    """With --from, Enter keeps every answer: the saved file equals the source workload."""
    result = ask(runner, tmp_path, "\n" * (1 + len(SPECS)), "--from", str(EXAMPLES / "payments-api.yaml"))
    assert result.exit_code == 0, result.stderr
    assert f"[Enter: {PAYMENTS.name}]" in result.stderr
    assert "[Enter: keep microservices]" in result.stderr
    assert load_workload(tmp_path / "w.yaml") == PAYMENTS


def test_from_file_edit_changes_and_unsets(runner, tmp_path):
    """With --from, a new answer replaces a default and 0 removes one."""
    fields = [spec.name for spec in SPECS]
    lines = ["renamed"] + [""] * len(SPECS)
    lines[1 + fields.index("isolation")] = "strict"
    lines[1 + fields.index("density")] = "0"
    result = ask(runner, tmp_path, "\n".join(lines) + "\n", "--from", str(EXAMPLES / "payments-api.yaml"))
    assert result.exit_code == 0, result.stderr
    expected = dict(PAYMENTS.requirements.stated(), isolation="strict")
    del expected["density"]
    saved = load_workload(tmp_path / "w.yaml")
    assert saved == replace(PAYMENTS, name="renamed", requirements=Requirements(**expected))


def test_from_bad_file_fails_before_asking(runner, tmp_path, write):
    """An invalid --from file exits 2 with file and line, before any question."""
    bad = write("bad.yaml", "name: x\nrequirements:\n  isolation: extreme\n")
    result = ask(runner, tmp_path, answers("x", {}), "--from", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"advisor: {bad}:3: requirements.isolation: 'extreme' is not allowed")
    assert result.stderr.count("\n") == 1 and "Name" not in result.stderr  # no question was asked


def test_round_trip_with_decide(runner, tmp_path):
    """`advisor decide` on the saved file prints exactly the decision shown at the end."""
    values = {"architecture": "microservices", "isolation": "high", "untrusted_code": True, "density": "high"}
    result = ask(runner, tmp_path, answers("rt", values))
    assert result.exit_code == 0, result.stderr
    decided = runner.invoke(cli, ["decide", str(tmp_path / "w.yaml")])
    assert decided.exit_code == 0
    assert "rt:" in decided.stdout
    # and then the verdict, its first line, once more as the last line
    assert result.stdout == decided.stdout + decided.stdout.split("\n", 1)[0] + "\n"


def test_existing_file_is_kept_without_a_yes(runner, tmp_path):
    """An existing --output file is kept when the overwrite question gets no or no answer (exit 2)."""
    target = tmp_path / "w.yaml"
    target.write_text("keep me\n")
    for tail in ("n\n", ""):
        result = ask(runner, tmp_path, answers("o", {}) + tail)
        assert result.exit_code == 2
        assert "already exists; you will be asked" in result.stderr
        assert result.stderr.splitlines()[-1] == f"advisor: {target}: already exists; not overwritten (use --force)"
        assert target.read_text() == "keep me\n"


def test_existing_file_replaced_on_yes(runner, tmp_path):
    """An explicit yes at the overwrite question replaces the file."""
    (tmp_path / "w.yaml").write_text("old\n")
    result = ask(runner, tmp_path, answers("o", {}) + "y\n")
    assert result.exit_code == 0, result.stderr
    assert load_workload(tmp_path / "w.yaml").name == "o"


def test_force_overwrites_without_asking(runner, tmp_path):
    """--force replaces an existing file and asks nothing more."""
    (tmp_path / "w.yaml").write_text("old\n")
    result = ask(runner, tmp_path, answers("f", {}), "--force")
    assert result.exit_code == 0, result.stderr
    assert "Overwrite" not in result.stderr
    assert load_workload(tmp_path / "w.yaml").name == "f"


def test_default_out_is_workload_yaml(runner, tmp_path, monkeypatch):
    """Without --output the file is workload.yaml in the current folder."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["ask"], input=answers("d", {}))
    assert result.exit_code == 0, result.stderr
    assert load_workload(tmp_path / "workload.yaml").name == "d"


def test_unwritable_out_fails_before_asking(runner, tmp_path):
    """An --out in a missing folder, or naming a folder, fails at once, before any question."""
    for out in (tmp_path / "nope" / "w.yaml", tmp_path):
        result = runner.invoke(cli, ["ask", "--output", str(out)], input=answers("u", {}))
        assert result.exit_code == 2
        assert str(out) in result.stderr
        assert "Name" not in result.stderr


# A pack of its own, so a record or view made with it is told apart from the shipped pack's.
SMALL_PACK = """\
pack: ask-test-pack
version: "7.7.7"
title: A pack for the questionnaire tests
claims:
  C1: {section: "1", quote: "Изоляция.", text: "A VM isolates more strongly."}
options:
  docker: {title: Docker containers, summary: Shared kernel.}
  vm: {title: Virtual machines, summary: A kernel each.}
rules:
  - id: strict-wants-vm
    dimension: isolation
    when: {isolation: strict}
    effects: {vm: 3}
    because: Strict separation wants a kernel of its own.
    sources: [C1]
"""


def test_adr_offered_and_written_with_the_same_rules(runner, tmp_path, monkeypatch, write):
    """A yes at the ADR offer writes a record of the saved file, decided with the --rules pack."""
    write("pack.yaml", SMALL_PACK)
    monkeypatch.chdir(tmp_path)
    values = {"isolation": "strict"}
    result = runner.invoke(cli, ["ask", "--rules", "pack.yaml"], input=answers("adr-demo", values) + "y\n")
    assert result.exit_code == 0, result.stderr
    assert "strict-wants-vm" in result.stdout
    records = sorted(tmp_path.rglob("*.md"))
    assert len(records) == 1, (records, result.stdout)
    text = records[0].read_text(encoding="utf-8")
    assert "adr-demo" in text and "`ask-test-pack` 7.7.7" in text


def test_adr_not_written_without_a_yes(runner, tmp_path, monkeypatch):
    """A no, or input that ends at the ADR offer, writes the workload file and no record."""
    monkeypatch.chdir(tmp_path)
    for tail in ("n\n", ""):
        result = runner.invoke(cli, ["ask", "--force"], input=answers("no-adr", {}) + tail)
        assert result.exit_code == 0, result.stderr
        assert "Decision Record" in result.stderr
        assert load_workload(tmp_path / "workload.yaml").name == "no-adr"
        assert sorted(tmp_path.rglob("*.md")) == []


def test_bad_source_date_epoch_fails_before_asking(runner, tmp_path, monkeypatch):
    """A SOURCE_DATE_EPOCH that is not a Unix time exits 2 at once, before any question."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "bad")
    result = ask(runner, tmp_path, answers("d", {}))
    assert result.exit_code == 2
    assert result.stderr == "advisor: SOURCE_DATE_EPOCH: 'bad' is not a Unix time\n"
    assert not (tmp_path / "w.yaml").exists()


def test_bad_rules_fail_before_asking(runner, tmp_path, write):
    """A --rules pack that does not load exits 2 naming it, before any question."""
    bad = write("pack.yaml", SMALL_PACK.replace("sources: [C1]", "sources: [C9]"))
    result = ask(runner, tmp_path, answers("r", {}), "--rules", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"advisor: {bad}:")
    assert result.stderr.count("\n") == 1 and "Name" not in result.stderr


def test_from_stdin_is_refused_before_asking(runner, tmp_path):
    """--from - is refused, since standard input holds the answers."""
    result = ask(runner, tmp_path, answers("s", {}), "--from", "-")
    assert result.exit_code == 2
    assert result.stderr == "advisor: --from: standard input holds the answers; give --from a file\n"


def test_terminal_view_prints_no_date(pack):
    """The terminal view of a decision is the same with or without a date, so ask passes none."""
    from advisor import formats
    from advisor.decision import decide as evaluate

    decision = evaluate(PAYMENTS, pack)
    dated = formats.render("decision", "text", decision, formats.RenderOptions(date="2001-02-03"))
    assert dated == formats.render("decision", "text", decision, formats.RenderOptions())


def test_ask_and_save_shows_the_decision_before_saving(tmp_path):
    """The library flow shows the decision before the file exists, then saves and returns both."""
    from advisor.decision import decide as evaluate

    out = tmp_path / "w.yaml"
    shown = []

    def show(decision):
        shown.append((decision, out.exists()))

    values = {"isolation": "strict", "untrusted_code": True}
    prompter = questionnaire.LinePrompter(io.StringIO(answers("lib", values)), io.StringIO())
    asked = questionnaire.ask_and_save(prompter, out, show=show)
    assert asked.saved == out
    assert load_workload(out) == asked.workload == Workload(name="lib", requirements=Requirements(**values))
    assert shown == [(asked.decision, False)]
    assert asked.decision == evaluate(asked.workload, load_pack())


def test_saved_file_is_deterministic(runner, tmp_path):
    """The same answers give byte-identical files, keys in a fixed order."""
    values = {"os_testing": True, "architecture": "monolith", "isolation": "strict"}
    ask(runner, tmp_path, answers("d", values))
    first = (tmp_path / "w.yaml").read_bytes()
    ask(runner, tmp_path, answers("d", values), "--force")
    assert (tmp_path / "w.yaml").read_bytes() == first
    body = first.decode().split("requirements:\n")[1]
    assert [line.split(":")[0].strip() for line in body.splitlines()] == ["architecture", "isolation", "os_testing"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.*")), ids=lambda p: p.name)
def test_examples_round_trip_through_yaml(path, tmp_path):
    """Every example workload, written as YAML, loads back equal."""
    workload = load_workload(path)
    (tmp_path / "w.yaml").write_text(workload_yaml(workload), encoding="utf-8")
    assert load_workload(tmp_path / "w.yaml") == workload


_requirements = st.fixed_dictionaries(
    {}, optional={spec.name: st.sampled_from(list(spec.choices)) for spec in SPECS}
).map(lambda values: Requirements(**values))


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(min_size=1, max_size=40),
    description=st.none() | st.text(max_size=80),
    requirements=_requirements,
)
def test_any_workload_round_trips_through_yaml(name, description, requirements, tmp_path_factory):
    """Whatever the name and description hold, the YAML written loads back to an equal Workload."""
    workload = Workload(name=name, description=description, requirements=requirements)
    path = tmp_path_factory.mktemp("rt") / "w.yaml"
    path.write_text(workload_yaml(workload), encoding="utf-8")
    assert load_workload(path) == workload


def test_less_than_goes_back_to_the_previous_question(runner, tmp_path):
    """A '<' answer asks the question before again; the new answer replaces the old one."""
    text = answers("back", {}).replace("back\n\n", "back\n1\n<\n2\n", 1)
    result = ask(runner, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(f"1/{TOTAL}  Architecture") == 2
    assert load_workload(tmp_path / "w.yaml").requirements.architecture == "microservices"


def test_declared_is_asked_and_the_saved_file_is_checked(runner, tmp_path, monkeypatch):
    """The last question is the declared platform, from the pack's options, so check judges the file."""
    values = {"untrusted_code": True}
    result = ask(runner, tmp_path, answers("d", values, declared="1"))
    assert result.exit_code == 0, result.stderr
    assert f"{TOTAL}/{TOTAL}  Declared platform\n  1  docker  Docker containers\n  2  vm      Virtual machines\n" in (
        result.stderr
    )
    assert load_workload(tmp_path / "w.yaml").declared == "docker"
    monkeypatch.chdir(tmp_path)
    checked = runner.invoke(cli, ["check", "w.yaml"])
    assert checked.exit_code == 1 and checked.stdout.startswith("FAIL ")


def test_piped_answers_may_end_before_the_declared_platform(runner, tmp_path):
    """Answers that stop after the last requirement (older scripts) still save, with no declared platform."""
    text = answers("old-script", {"isolation": "high"}).removesuffix("\n\n") + "\n"
    result = ask(runner, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    saved = load_workload(tmp_path / "w.yaml")
    assert saved.declared is None and saved.requirements.isolation == "high"
