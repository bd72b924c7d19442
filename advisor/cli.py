"""The ``advisor`` command: a thin layer over the library.

Each command parses its arguments, makes one library call, picks one renderer and
returns. Exit codes are mapped here and nowhere else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

import click

from . import __version__, formats
from .errors import AdvisorError, visible, visible_path
from .files import encoded, refuse_inputs, write_atomic

EXIT_INTERRUPTED = 130


class AdvisorGroup(click.Group):
    """A click group that turns every error into a one-line message and an exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except click.UsageError as exc:  # one line, like every other error
            command = exc.ctx.command_path if exc.ctx else "advisor"
            click.echo(f"{command}: {visible(exc.format_message())} (see '{command} --help')", err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            click.echo(f"advisor: {visible(exc.format_message())}", err=True)
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("\nadvisor: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except AdvisorError as exc:
            click.echo(f"advisor: {exc}", err=True)
            code = exc.exit_code
        except BrokenPipeError:
            code = 0
        except OSError as exc:  # standard output itself failed: a full disk, a closed terminal
            click.echo(f"advisor: cannot write the output: {exc.strerror or exc}", err=True)
            code = 2
        if standalone_mode:
            sys.exit(code)
        return code


def use_color(flag: bool | None, output: str | None) -> bool:
    """Colour only on a terminal, never into a file, never with NO_COLOR set."""
    if flag is not None:
        return flag
    if (output and output != "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(text: str, output: str | None, inputs: Iterable[str | None] = ()) -> None:
    """Print ``text``, or write it to ``output`` (``-`` is standard output): atomically to a
    file, directly to a FIFO or terminal (see :func:`advisor.files.write_atomic`).

    Text that cannot be encoded, or an ``output`` that is one of the ``inputs`` the
    command read, is an error before anything is written.
    """
    if output and output != "-":
        refuse_inputs(output, inputs)
        write_atomic(output, text)
    else:
        encoded(text, getattr(sys.stdout, "encoding", None) or "utf-8")
        # use_color already decided; click would strip the colour again off a terminal.
        click.echo(text, nl=False, color=True)


rules_option = click.option(
    "--rules", "rules_path", type=click.Path(dir_okay=False), help="Use this rule pack instead of the default one."
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write to this file (atomically) instead of standard output.",
)


@click.group("advisor", cls=AdvisorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="advisor")
def cli() -> None:
    """Should this workload run in containers (Docker) or in virtual machines?

    Describe a workload in a YAML file (or answer `advisor ask`), and advisor scores
    the options with rules drawn from a source document, citing every reason.
    """


@cli.command()
@click.argument("workload", type=click.Path(dir_okay=False, allow_dash=True))
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(formats.names("decision")), default="text", show_default=True)
@output_option
@click.option("--template", type=click.Path(dir_okay=False), help="Render with your own Jinja template (sandboxed).")
@click.option("--date", help="Date to print on the report (YYYY-MM-DD); default SOURCE_DATE_EPOCH, else none.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text view (default: on a terminal, unless NO_COLOR)."
)
def decide(workload, rules_path, fmt, output, template, date, color) -> None:
    """Decide one WORKLOAD file (YAML or JSON; - for standard input)."""
    from . import api

    decision = api.decide(workload, api.load_rules(rules_path))
    options = formats.RenderOptions(color=use_color(color, output), date=api.report_date(date), template=template)
    emit(formats.render("decision", fmt, decision, options), output, inputs=(workload, rules_path, template))


@cli.group()
def rules() -> None:
    """List and check rule packs."""


@rules.command("list")
@rules_option
@click.option("--format", "-f", "fmt", type=click.Choice(formats.names("rules")), default="text", show_default=True)
def rules_list(rules_path, fmt) -> None:
    """List the rules of the pack: condition, effects, reason and sources."""
    from . import api

    emit(formats.render("rules", fmt, api.load_rules(rules_path)), None)


@rules.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def rules_lint(paths) -> None:
    """Check rule packs (default: the shipped pack); print every problem as file:line: rule: what."""
    from .errors import RulePackError
    from .resources import default_pack_path
    from .rulepack import check_pack

    found = 0
    for path in paths or (str(default_pack_path()),):
        try:
            pack, problems = check_pack(path)
        except RulePackError as exc:  # unreadable: report it and lint the others
            click.echo(str(exc))
            found += 1
            continue
        for problem in problems:
            click.echo(str(problem))
        found += len(problems)
        if pack is not None:
            click.echo(f"{path}: ok: {len(pack.rules)} rules, {len(pack.options)} options")
    if found:
        raise AdvisorError(f"{found} problem{'s' if found > 1 else ''} found")


@cli.command()
@click.argument("kind", type=click.Choice(["workload", "decision"]), default="workload")
def schema(kind) -> None:
    """Print the JSON Schema of the workload file (or of the decision JSON)."""
    from .formats import to_json

    if kind == "workload":
        from .workload import workload_schema

        emit(to_json(workload_schema()), None)
    else:
        from .decision import decision_schema

        emit(to_json(decision_schema()), None)


@cli.command()
@click.option(
    "--out", default="workload.yaml", show_default=True, type=click.Path(dir_okay=False), help="Save the workload here."
)
@click.option("--from", "from_path", type=click.Path(dir_okay=False), help="Start from this workload file's answers.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists, without asking.")
@rules_option
@click.pass_context
def ask(ctx, out, from_path, force, rules_path) -> None:
    """Answer questions about a workload, see the decision, save the workload file.

    On a terminal: arrow keys, Enter, ? for help. Otherwise one answer a line (a
    number; 0 to skip; Enter keeps the default): printf 'my-api\\n2\\n...' | advisor ask
    """
    from . import questionnaire

    def show(decision) -> None:
        # The terminal view prints no date, so none is given.
        options = formats.RenderOptions(color=use_color(None, None))
        emit(formats.render("decision", "text", decision, options), None)

    refuse_inputs(out, (rules_path,))  # before the first question
    prompter = questionnaire.prompter_for(sys.stdin, sys.stdout, sys.stderr)
    asked = questionnaire.ask_and_save(
        prompter, out, rules_path=rules_path, from_path=from_path, force=force, show=show
    )
    if prompter.confirm("Write an Architecture Decision Record for it (advisor adr)?"):
        ctx.invoke(adr_command, workload=str(asked.saved), rules_path=rules_path)


@cli.command("adr")
@click.argument("workload", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--dir", "folder", type=click.Path(), help="Folder of the records (default: .adr-dir, doc/adr, docs/decisions)."
)
@click.option(
    "--template",
    metavar="madr|nygard|FILE",
    help="Record format, or your own Jinja template (sandboxed). Default: nygard where the folder's records "
    "are adr-tools', else madr.",
)
@click.option("--status", type=click.Choice(["proposed", "accepted"]), default="proposed", show_default=True)
@click.option("--supersedes", type=click.IntRange(min=1), metavar="N", help="Mark ADR N superseded by the new one.")
@click.option("--title", help='Title of the record (default: "Run <workload> on <chosen option>").')
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the record instead of writing it.")
@rules_option
def adr_command(workload, folder, template, status, supersedes, title, to_stdout, rules_path) -> None:
    """Write the next Architecture Decision Record for WORKLOAD and print its path."""
    from . import api
    from .adr import display_path, write_adr

    written = write_adr(
        workload,
        pack=api.load_rules(rules_path),
        folder=folder,
        template=template,
        status=status,
        supersedes=supersedes,
        title=title,
        to_stdout=to_stdout,
    )
    emit(written.text if to_stdout else visible_path(display_path(written.path)) + "\n", None)


CHECK_PROGRESS_FROM = 300  # files; fewer are checked before a progress line would help


def _check_progress(done: int, total: int) -> None:
    """Progress of a long check on standard error, when that is a terminal."""
    if total > CHECK_PROGRESS_FROM and sys.stderr.isatty():
        click.echo(f"\radvisor check: {done}/{total} files", err=True, nl=done == total)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(dir_okay=False),
    help="Policy file (default: .advisor.yaml here or above, else [tool.advisor] in pyproject.toml).",
)
@click.option(
    "--pattern",
    "patterns",
    multiple=True,
    metavar="GLOB",
    help="Workload file names to find in folders; repeatable (default: workload.yaml, workload.yml, *.workload.yaml).",
)
@click.option("--format", "-f", "fmt", type=click.Choice(formats.names("check")), default="text", show_default=True)
@output_option
@click.option(
    "--fail-on",
    type=click.Choice(["veto", "mismatch", "warn"]),
    help="What fails the check: vetoed or forbidden platforms only, also mismatches, or also warnings "
    "(default: the policy's, else mismatch).",
)
@click.option("--require-declared", is_flag=True, help="Fail a workload that does not declare its platform.")
@rules_option
@click.option("--date", help="Today, for waiver expiry (YYYY-MM-DD); default SOURCE_DATE_EPOCH, else today in UTC.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text view (default: on a terminal, unless NO_COLOR)."
)
def check(paths, policy_path, patterns, fmt, output, fail_on, require_declared, rules_path, date, color) -> int:
    """Check that the workloads in PATH... (files, or folders searched) declare the advised platform.

    Exits 0 when every workload passes, 1 when one fails the policy, 2 when a file
    cannot be checked (the others are still checked and reported).
    """
    from .check import run_check

    result = run_check(
        paths,
        policy_path=policy_path,
        rules_path=rules_path,
        patterns=patterns,
        fail_on=fail_on,
        require_declared=require_declared,
        today=date,
        progress=_check_progress,
    )
    read = [r.path for r in result.results] + [result.policy.source, policy_path, rules_path]
    emit(formats.render("check", fmt, result, formats.RenderOptions(color=use_color(color, output))), output, read)
    return result.exit_code


def main() -> None:
    """The console-script entry point."""
    cli(prog_name="advisor")
