"""The questionnaire: ask a workload's name and requirements, one question per field.

The questions come from the workload model (``field_specs()``: title, help text,
choices) so there is no second copy of them here. Two prompters ask them: arrow-key
menus on a terminal, and numbered prompts read line by line when standard input is
not a terminal, so the questionnaire can be scripted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TextIO

import yaml
from pydantic import ValidationError

from .errors import InputError
from .files import check_writable, write_atomic
from .workload import (
    USUAL_ANSWERS,
    FieldSpec,
    Requirements,
    Workload,
    field_specs,
    format_value,
    load_workload,
)

if TYPE_CHECKING:
    from .decision_model import Decision

SKIP_LABEL = "skip / don't know"
BACK = ("back",)  # what a prompter returns to go back to the previous question
BACK_KEYS = ("<", "back")  # the piped answers that do
# A piped script that keeps giving wrong answers must fail, not loop for ever.
MAX_TRIES = 5
PLATFORM_SECTION = "Platform"
HEADER = "# A workload description for advisor: `advisor decide FILE`, or `advisor ask --from FILE` to edit it.\n"


class Hint(NamedTuple):
    """How to ask a question besides its default: ``usual`` is where a menu's pointer
    starts when there is no answer yet (never an answer in itself); an ``optional``
    question is skipped when the piped answers end before it."""

    usual: Any = None
    optional: bool = False


class Prompter(Protocol):
    """What the questionnaire needs from a terminal, whichever kind it is."""

    def section(self, title: str) -> None:
        """Show the header of a group of questions."""

    def ask_name(self, title: str, help: str, default: str | None, check: Callable[[str], str | None]) -> str:
        """Ask for the workload's name; ``check`` returns a problem or None."""

    def ask_field(self, spec: FieldSpec, default: Any, position: int, total: int, key: str, hint: Hint) -> Any:
        """Ask one field (``key``, its path in the file); None means skipped (left unspecified),
        :data:`BACK` going back to the question before. See :class:`Hint`."""

    def confirm(self, question: str, default: bool = False) -> bool:
        """Ask a yes/no question."""

    def say(self, text: str) -> None:
        """Tell the user something."""


def run(
    prompter: Prompter,
    start: Workload | None = None,
    options: Mapping[str, str] | None = None,
    sections: Mapping[str, str] | None = None,
) -> Workload:
    """Ask the name, every requirement in model order, then the declared platform (one of
    ``options``, id: title); return the answered Workload. Any question but the name can
    go back to the one before.

    ``start`` (the edit flow) gives the defaults; its description is kept as it is.
    ``sections`` titles the dimensions (id -> title, from the rule pack); a dimension it
    lacks is headed by its id.
    """
    name_info = Workload.__dataclass_fields__["name"].metadata
    declared = start.declared if start else None
    specs = field_specs()
    if options:
        info = Workload.__dataclass_fields__["declared"].metadata
        specs.append(FieldSpec("declared", info["title"], info["description"], "", options, False))
    answers: dict[str, Any] = start.requirements.stated() if start else {}
    if declared is not None:
        answers["declared"] = declared
    name = prompter.ask_name(
        name_info["title"], name_info["description"], start.name if start else None, _name_problem
    )
    index, shown, asked = 0, None, set()
    while index < len(specs):
        spec = specs[index]
        if spec.dimension != shown:
            shown = spec.dimension
            title = (sections or {}).get(spec.dimension, spec.dimension)
            prompter.section(PLATFORM_SECTION if spec.name == "declared" else title)
        key = spec.name if spec.name == "declared" else f"requirements.{spec.name}"
        # A new workload's menus start on the usual answer; an edited or revisited one's on its answer.
        usual = USUAL_ANSWERS.get(spec.name) if start is None and spec.name not in asked else None
        hint = Hint(usual, optional=spec.name == "declared")
        value = prompter.ask_field(spec, answers.get(spec.name), index + 1, len(specs), key, hint)
        asked.add(spec.name)
        if value == BACK:
            if index == 0:  # back from the first requirement: the name again
                name = prompter.ask_name(name_info["title"], name_info["description"], name, _name_problem)
            index = max(index - 1, 0)
            continue
        if value is None:
            answers.pop(spec.name, None)
        else:
            answers[spec.name] = value
        index += 1
    declared = answers.pop("declared", None) if options else declared
    return Workload(
        name=name,
        description=start.description if start else None,
        declared=declared,
        requirements=Requirements(**answers),
    )


def _name_problem(name: str) -> str | None:
    """What is wrong with a name, by the model's own limits, or None."""
    from .workload_model import WorkloadModel

    try:
        WorkloadModel(name=name)
    except ValidationError as exc:
        return exc.errors()[0]["msg"].lower()
    return None


def workload_yaml(workload: Workload) -> str:
    """The workload as a YAML file: fixed key order, only what is stated."""
    data: dict[str, Any] = {"name": workload.name}
    if workload.description is not None:
        data["description"] = workload.description
    if workload.declared is not None:
        data["declared"] = workload.declared
    data["requirements"] = workload.requirements.stated()
    return HEADER + yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


class _Dumper(yaml.SafeDumper):
    """A safe dumper whose strings always load back unchanged."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        # PyYAML folds Unicode line breaks (NEL, LS, PS) wrongly in plain and single-quoted
        # scalars; double quotes escape them.
        if any(ch in data for ch in "\x85\u2028\u2029"):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def save(workload: Workload, path: str | Path, prompter: Prompter, *, force: bool = False) -> Path:
    """Write the workload file atomically; an existing file is replaced only with ``force`` or a yes."""
    target = Path(path)
    exists = target.exists() or target.is_symlink()
    overwrite = force or (exists and prompter.confirm(f"{path} already exists. Overwrite it?", default=False))
    # Without a yes, write_atomic refuses an existing file (and one that appeared meanwhile).
    return write_atomic(target, workload_yaml(workload), overwrite=overwrite)


class Asked(NamedTuple):
    """What one questionnaire gave: the workload answered, its decision, the file saved."""

    workload: Workload
    decision: Decision
    saved: Path


def ask_and_save(
    prompter: Prompter,
    out: str | Path,
    *,
    rules_path: str | Path | None = None,
    from_path: str | Path | None = None,
    force: bool = False,
    show: Callable[[Decision], None] | None = None,
) -> Asked:
    """The whole questionnaire: ask, decide, ``show`` the decision, then save the workload to ``out``.

    Everything that can be wrong before the answers (the rule pack, the ``from_path``
    workload, the output path, SOURCE_DATE_EPOCH) is checked before the first question,
    so a mistake there costs no answers. The decision is shown before the file is
    saved, so an overwrite question comes after the user has seen what is saved.
    """
    from .dates import source_date_epoch
    from .decision import decide as evaluate
    from .rulepack import load_rules

    if str(from_path) == "-":
        raise InputError("standard input holds the answers; give --from a file", field="--from")
    pack = load_rules(rules_path)
    start = load_workload(from_path, pack.options) if from_path else None
    exists = check_writable(out)
    # Nothing here prints a date, but a record written from the saved file is dated from it.
    source_date_epoch()
    if exists and not force:
        prompter.say(f"{out} already exists; you will be asked before it is overwritten.")
    workload = run(
        prompter,
        start,
        {oid: option.title for oid, option in pack.options.items()},
        {d.id: d.title for d in pack.dimensions.values()},
    )
    decision = evaluate(workload, pack)
    if show is not None:
        show(decision)
    saved = save(workload, out, prompter, force=force)
    prompter.say(f"Saved {saved} (advisor decide {saved} shows this decision again).")
    return Asked(workload, decision, saved)


def _choices(spec: FieldSpec) -> list[tuple[Any, str, str]]:
    """(value, how it is written, what it means) for each choice of a field."""
    return [(value, format_value(value) if not spec.is_bool else label, label) for value, label in spec.choices.items()]


class LinePrompter:
    """Numbered questions, answers read one line at a time (for pipes and scripts)."""

    source = "<stdin>"  # how error messages name the answers' file

    def __init__(self, stdin: TextIO, out: TextIO, *, echo: bool = False) -> None:
        self.stdin = stdin
        self.out = out
        self.echo = echo
        self.line = 0

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def _next(self, prompt: str) -> str | None:
        """The next answer line, stripped; None at the end of input."""
        self._write(prompt)
        raw = self.stdin.readline()
        if not raw:
            self._write("\n")
            return None
        self.line += 1
        answer = raw.rstrip("\r\n")
        if self.echo:
            self._write(answer + "\n")
        return answer.strip()

    def _read(self, prompt: str, field: str) -> str:
        """One answer; the end of input is an error naming the question it cut short."""
        answer = self._next(prompt)
        if answer is None:
            raise InputError(
                "input ended before this question was answered; nothing written",
                path=self.source,
                line=self.line + 1,
                field=field,
            )
        return answer

    def _too_many(self, field: str) -> InputError:
        return InputError(
            f"no valid answer after {MAX_TRIES} tries; nothing written", path=self.source, line=self.line, field=field
        )

    def section(self, title: str) -> None:
        self._write(f"\n{title}\n{'-' * len(title)}\n")

    def ask_name(self, title: str, help: str, default: str | None, check: Callable[[str], str | None]) -> str:
        keep = f" [Enter: {default}]" if default else ""
        for _ in range(MAX_TRIES):
            answer = self._read(f"{title} (? for help){keep}: ", "name")
            if answer == "?":
                self._write(f"  {help}\n")
                continue
            if not answer and default:
                return default
            problem = check(answer)
            if problem is None:
                return answer
            self._write(f"  The name {problem}; try again.\n")
        raise self._too_many("name")

    def ask_field(self, spec: FieldSpec, default: Any, position: int, total: int, key: str, hint: Hint) -> Any:
        choices = _choices(spec)
        width = max(len(written) for _, written, _ in choices)
        lines = [f"{position}/{total}  {spec.title}"]
        for number, (_, written, label) in enumerate(choices, 1):
            meaning = "" if spec.is_bool else f"  {label}"
            lines.append(f"  {number}  {written:<{width}}{meaning}".rstrip())
        lines.append(f"  0  {SKIP_LABEL}")
        self._write("\n".join(lines) + "\n")
        written_of = {value: written for value, written, _ in choices}
        keep = f"keep {written_of[default]}" if default is not None else "skip"
        prompt = f"Choose 0-{len(choices)}, ? for help [Enter: {keep}]: "
        field = key
        for _ in range(MAX_TRIES):
            answer = self._next(prompt) if hint.optional else self._read(prompt, field)
            if answer is None:  # the answers ended before an optional question: it is skipped
                return default
            if answer == "?":
                self._write(_help_text(spec))
                continue
            if answer.lower() in BACK_KEYS:
                return BACK
            if not answer:
                return default
            found, value = _parse(spec, choices, answer)
            if found:
                return value
            written = ", ".join(w for _, w, _ in choices)
            self._write(
                f"  '{answer}' is not an answer: type a number from 0 to {len(choices)}, "
                f"one of {written}, ? for help, < to go back, or Enter for {keep}.\n"
            )
        raise self._too_many(field)

    def confirm(self, question: str, default: bool = False) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        for _ in range(MAX_TRIES):
            answer = self._next(f"{question} {hint}: ")
            # Not answering is not an explicit yes; scripts that stop early get the default.
            if not answer:
                return default
            answer = answer.lower()
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self._write("  Answer y or n.\n")
        return default

    def say(self, text: str) -> None:
        self._write(text + "\n")


def _parse(spec: FieldSpec, choices: list[tuple[Any, str, str]], answer: str) -> tuple[bool, Any]:
    """(True, value) for a valid answer (a number, a value as written, or 0/skip), else (False, None)."""
    lowered = answer.lower()
    if lowered in ("0", "skip", "-"):
        return True, None
    if lowered.isdigit() and 1 <= int(lowered) <= len(choices):
        return True, choices[int(lowered) - 1][0]
    for value, written, _ in choices:
        if lowered in (written.lower(), format_value(value)):
            return True, value
    if spec.is_bool and lowered in ("y", "n"):
        return True, lowered == "y"
    return False, None


def _help_text(spec: FieldSpec) -> str:
    """The field's help, what each choice means, and its key in the workload file."""
    lines = [f"  {spec.help}"]
    if not spec.is_bool:
        lines += [f"    {format_value(value)}: {label}" for value, label in spec.choices.items()]
    lines.append(f"  Skip it if you do not know: the field is left out and no rule counts it. (File key: {spec.name})")
    lines.append("  To change the answer before, go back (< here, or the left arrow in the menus).")
    return "\n".join(lines) + "\n"
