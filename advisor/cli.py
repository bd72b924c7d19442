"""The ``advisor`` command: a thin layer over the library.

Each command parses its arguments, makes one library call, picks one renderer and
returns. Exit codes are mapped at the edge, in :mod:`advisor.cli_support`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__, formats
from .cli_rules import rules
from .cli_support import (
    AdvisorGroup,
    FormatChoice,
    deprecated_alias,
    emit,
    lang_option,
    one_of,
    output_option,
    quiet_option,
    rules_option,
    text_width,
    use_color,
)
from .errors import visible_path
from .files import check_writable, refuse_inputs, write_atomic


@click.group("advisor", cls=AdvisorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="advisor")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (also ADVISOR_DEBUG=1).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Should this workload run in containers (Docker) or in virtual machines?

    Describe a workload in a YAML file (or answer `advisor ask`), and advisor scores
    the options with rules drawn from a source document, citing every reason.
    """
    ctx.command.debug = debug


cli.add_command(rules)


@cli.command()
@click.argument("workload", type=click.Path(dir_okay=False, allow_dash=True))
@rules_option
@click.option("--format", "-f", "fmt", type=FormatChoice("decision"), default="text", show_default=True)
@output_option
@click.option(
    "--template",
    type=click.Path(dir_okay=False),
    help="Render with your own Jinja template (sandboxed) instead of a --format.",
)
@click.option("--date", help="Date to print on the report (YYYY-MM-DD); default SOURCE_DATE_EPOCH, else none.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text view (default: on a terminal, unless NO_COLOR)."
)
@click.option(
    "--what-if",
    "what_if",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Also decide with this requirement changed (VALUE unstated leaves it out) and show what differs; repeatable.",
)
@lang_option
@click.pass_context
def decide(ctx, workload, rules_path, fmt, output, template, date, color, lang, what_if) -> None:
    """Decide one WORKLOAD file (YAML or JSON; - for standard input)."""
    from . import api

    if template and ctx.get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--template renders the report itself; leave out --format", ctx)
    if template and what_if:
        raise click.UsageError("--template renders one decision; leave out --what-if", ctx)

    if what_if:
        decision = api.what_if(workload, api.load_rules(rules_path), what_if, lang=lang)
    else:
        decision = api.decide(workload, api.load_rules(rules_path), lang=lang)
    options = formats.RenderOptions(
        color=use_color(color, output),
        date=api.report_date(date),
        template=template,
        width=text_width(output),
        lang=lang,
    )
    subject = "comparison" if what_if else "decision"
    emit(formats.render(subject, fmt, decision, options), output, inputs=(workload, rules_path, template))


@cli.command()
@click.argument("kind", type=click.Choice(["workload", "decision"]), default="workload")
@rules_option
@output_option
def schema(kind, rules_path, output) -> None:
    """Print the JSON Schema of the workload file (or of the decision JSON).

    The workload schema's `declared` lists the options of the rule pack (--rules).
    """
    from .formats import to_json

    if kind == "workload":
        from . import api
        from .workload_model import workload_schema

        pack = api.load_rules(rules_path)
        titles = {oid: option.title for oid, option in pack.options.items()}
        emit(to_json(workload_schema(titles)), output, (rules_path,))
    else:
        from .decision_model import decision_schema

        emit(to_json(decision_schema()), output)


@cli.command()
@click.option(
    "--output",
    "-o",
    default="workload.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Save the workload here.",
)
@deprecated_alias("--out", "out_alias", "--output", type=click.Path(dir_okay=False))
@click.option("--from", "from_path", type=click.Path(dir_okay=False), help="Start from this workload file's answers.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists, without asking.")
@rules_option
@click.pass_context
def ask(ctx, output, out_alias, from_path, force, rules_path) -> None:
    """Answer questions about a workload, see the decision, save the workload file.

    On a terminal: arrow keys or numbers, Enter, the left arrow to go back, ? for help.
    Otherwise one answer a line (a number; 0 to skip; < to go back; Enter keeps the
    default): printf 'my-api\\n2\\n...' | advisor ask
    """
    from . import menus, questionnaire

    shown: list[str] = []

    def show(decision) -> None:
        # The terminal view prints no date, so none is given.
        options = formats.RenderOptions(color=use_color(None, None), width=text_width(None))
        shown.append(formats.render("decision", "text", decision, options))
        click.echo(shown[-1], nl=False)

    prompter = menus.prompter_for(sys.stdin, sys.stdout, sys.stderr)
    out = one_of(ctx, "--output", "--out", output, out_alias)
    refuse_inputs(out, (rules_path,))  # before the first question
    asked = questionnaire.ask_and_save(
        prompter, out, rules_path=rules_path, from_path=from_path, force=force, show=show
    )
    if prompter.confirm("Write an Architecture Decision Record for it (advisor adr)?"):
        ctx.invoke(adr_command, workload=str(asked.saved), rules_path=rules_path)
    # The decision has scrolled away by now: its first line, the verdict, comes last again.
    click.echo(shown[-1].split("\n", 1)[0])


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
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the record to this file (- prints it) instead of into the folder, whose records stay as they are.",
)
@deprecated_alias("--stdout", "to_stdout", "--output -", is_flag=True, default=None)
@quiet_option
@rules_option
@lang_option
@click.pass_context
def adr_command(
    ctx, workload, folder, template, status, supersedes, title, output, to_stdout, quiet, rules_path, lang
) -> None:
    """Write the next Architecture Decision Record for WORKLOAD and print its path."""
    from . import api
    from .adr import write_adr
    from .files import display_path

    output = one_of(ctx, "--output", "--stdout", output, "-" if to_stdout else None)

    written = write_adr(
        workload,
        pack=api.load_rules(rules_path),
        folder=folder,
        template=template,
        status=status,
        supersedes=supersedes,
        title=title,
        to_stdout=output is not None,
        lang=lang,
        rules_path=rules_path,
    )
    if output is not None:
        emit(written.text, output, (workload, rules_path, template))
    elif not quiet:
        click.echo(visible_path(display_path(written.path)))


CHECK_PROGRESS_FROM = 300  # files; fewer are checked before a progress line would help
MAX_STDIN_PATHS = 64 * 2**20  # characters of paths that `check -` reads; a fleet of 100k paths is a few MiB


def _check_progress(done: int, total: int) -> None:
    """Progress of a long check on standard error, when that is a terminal."""
    if total > CHECK_PROGRESS_FROM and sys.stderr.isatty():
        click.echo(f"\radvisor check: {done}/{total} files", err=True, nl=done == total)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
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
@click.option("--format", "-f", "fmt", type=FormatChoice("check"), default="text", show_default=True)
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
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="An earlier --format json output: fail only on findings that are new or worse than in it.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Also write this check's result (as --format json) to this file, atomically, for a later --baseline.",
)
@quiet_option
@click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    help="The language of the wording (default: the policy's lang, else en; JSON keys and ids stay English).",
)
def check(
    paths, policy_path, patterns, fmt, output, fail_on, require_declared, rules_path, date, color, baseline_path,
    write_baseline, quiet, lang,
) -> int:
    """Check that the workloads in PATH... (files, or folders searched) declare the advised platform.

    A PATH of - reads more paths from standard input, one a line (git ls-files | advisor check -).

    Exits 0 when every workload passes, 1 when one fails the policy (with --baseline:
    when a finding is new or worse), 2 when a file cannot be checked (the others are
    still checked and reported).
    """
    import gc

    from .check import run_check

    # What start-up built (modules, models, the pack) lives as long as the process: the
    # collector need not walk it again on every collection of a long check.
    gc.freeze()
    result = run_check(
        _with_stdin_paths(paths),
        policy_path=policy_path,
        rules_path=rules_path,
        patterns=patterns,
        fail_on=fail_on,
        require_declared=require_declared,
        today=date,
        progress=_check_progress,
        baseline=baseline_path,
        lang=lang,
    )
    from .api import repository_root, source_date_epoch

    cwd = Path.cwd().resolve()
    moment = source_date_epoch()  # the JUnit timestamp, only when the build fixes the time
    options = formats.RenderOptions(
        color=use_color(color, output),
        timestamp=moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None,
        root=repository_root(cwd).as_posix(),
        cwd=cwd.as_posix(),
        link_base=_link_base(output),
    )
    read = [r.path for r in result.results] + [result.policy.source, policy_path, rules_path]
    if write_baseline:
        # Refused before the report is written, so a failed run leaves --output as it was.
        refuse_inputs(write_baseline, [*read, baseline_path])
        check_writable(write_baseline)
    if output or not quiet:
        emit(formats.render_pieces("check", fmt, result, options), output, read)
    if write_baseline:
        write_atomic(write_baseline, formats.render_pieces("check", "json", result))
    return result.exit_code


def _with_stdin_paths(paths: tuple[str, ...]) -> list[str]:
    """``paths`` with ``-`` replaced by the paths on standard input, one a line."""
    if "-" not in paths:
        return list(paths)
    text = sys.stdin.read(MAX_STDIN_PATHS + 1)  # bounded: '-' may be fed an endless stream
    if len(text) > MAX_STDIN_PATHS:
        raise click.UsageError(f"standard input holds more than {MAX_STDIN_PATHS // 2**20} MiB of paths")
    given = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if not given:
        raise click.UsageError("'-' was given, but standard input holds no paths")
    return [p for path in paths for p in (given if path == "-" else [path])]


def _link_base(output: str | None) -> str:
    """The current folder as seen from the folder ``output`` is written to, for the
    relative links of a page ("" on standard output or when they are the same folder)."""
    if not output or output == "-":
        return ""
    relative = os.path.relpath(os.getcwd(), os.path.dirname(os.path.abspath(output)))
    return "" if relative == "." else relative.replace(os.sep, "/")


def main() -> None:
    """The console-script entry point."""
    cli(prog_name="advisor")
