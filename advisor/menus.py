"""The questionnaire's menus on a real terminal (questionary, on prompt_toolkit).

A menu takes arrow keys (or ``j``/``k``) and the choice numbers the piped mode shows
(``1``..``n``, ``0`` for skip), Enter to choose, ``?`` for the field's help and the left
arrow (or Backspace) to go back to the question before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from .errors import InputError
from .questionnaire import BACK, SKIP_LABEL, Hint, LinePrompter, Prompter, _choices, _help_text
from .workload import FieldSpec

INSTRUCTION = "(↑↓ or a number, Enter to choose, ← back, ? for help)"


class TerminalPrompter:
    """Arrow-key menus on a real terminal."""

    def section(self, title: str) -> None:
        import questionary

        questionary.print(f"\n{title}", style="bold")

    def ask_name(self, title: str, help: str, default: str | None, check: Callable[[str], str | None]) -> str:
        import questionary

        def validate(text: str) -> bool | str:
            problem = check(text.strip())
            return True if problem is None else f"The name {problem}"

        while True:
            question = questionary.text(f"{title} (? for help):", default=default or "", validate=validate)
            answer = self._ask(question, "name").strip()
            if answer != "?":  # a name may hold a ?, but is not a lone one
                return answer
            questionary.print(f"  {help} It names the workload in reports, records and check results.", style="italic")

    def ask_field(self, spec: FieldSpec, default: Any, position: int, total: int, key: str, hint: Hint) -> Any:
        import questionary

        choices = _choices(spec)
        width = max(len(written) for _, written, _ in choices)
        menu = [
            questionary.Choice(
                title=written if spec.is_bool else f"{written:<{width}}  {label}",
                value=str(number),
                shortcut_key=str(number),
            )
            for number, (_, written, label) in enumerate(choices, 1)
        ]
        menu.append(questionary.Choice(title=SKIP_LABEL, value="0", shortcut_key="0"))
        numbers = {value: str(number) for number, (value, _, _) in enumerate(choices, 1)}
        # The pointer starts on the current answer, else on the usual one, else on skip.
        start = numbers.get(default if default is not None else hint.usual, "0")
        while True:
            question = questionary.select(
                spec.title, menu, default=start, qmark=f"{position}/{total}", instruction=INSTRUCTION,
                use_shortcuts=True,
            )
            self._add_keys(question)
            answer = self._ask(question, key)
            if answer == BACK:
                return BACK
            if isinstance(answer, tuple):  # ? was pressed: show the help, ask again where the pointer was
                questionary.print(f"{position}/{total} {spec.title}\n{_help_text(spec).rstrip()}", style="italic")
                start = answer[1]
                continue
            return None if answer == "0" else choices[int(answer) - 1][0]

    def confirm(self, question: str, default: bool = False) -> bool:
        import questionary

        return bool(self._ask(questionary.confirm(question, default=default), None))

    def say(self, text: str) -> None:
        import questionary

        questionary.print(text)

    @staticmethod
    def _add_keys(question: Any) -> None:
        """Bind ? to leave the menu with ("help", the choice pointed at), and the left arrow
        and Backspace to leave it with BACK; the caller then acts on that."""
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from questionary.prompts.common import InquirerControl

        extra = KeyBindings()

        @extra.add("?", eager=True)
        def _help(event: Any) -> None:
            pointed = "0"
            for window in event.app.layout.find_all_windows():
                if isinstance(window.content, InquirerControl):
                    pointed = window.content.get_pointed_at().value
            event.app.erase_when_done = True
            event.app.exit(result=("help", pointed))

        @extra.add("left", eager=True)
        @extra.add("backspace", eager=True)
        def _back(event: Any) -> None:
            event.app.erase_when_done = True
            event.app.exit(result=BACK)

        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings, extra])

    @staticmethod
    def _ask(question: Any, field: str | None) -> Any:
        """Ask; Ctrl-C propagates (exit 130), Ctrl-D is the end of input."""
        try:
            return question.unsafe_ask()
        except EOFError:
            raise InputError("input ended before this question was answered; nothing written", field=field) from None


def prompter_for(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> Prompter:
    """Menus when both ends are a terminal; otherwise numbered prompts on standard error."""
    if _isatty(stdin) and _isatty(stdout):
        return TerminalPrompter()
    return LinePrompter(stdin, stderr, echo=not _isatty(stdin))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
