"""What every ``advisor`` command shares: the error edge, colour and width, writing
the output, and the common options."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable

import click

from .errors import AdvisorError, visible
from .files import encoded, refuse_inputs, write_atomic

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70  # EX_SOFTWARE: advisor itself failed


class AdvisorGroup(click.Group):
    """A click group that turns every error into a one-line message and an exit code."""

    debug = False  # set by --debug, for the error handler below

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        self.debug = False
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
        except Exception as exc:  # a bug: exit 70, never 1, which `check` users read as a policy violation
            code = internal_error(exc, self.debug)
        if standalone_mode:
            sys.exit(code)
        return code


class FormatChoice(click.Choice):
    """The ``--format`` choices of one kind of result, looked up when first needed, so a
    command's start imports only its own renderers, not every kind's."""

    def __init__(self, subject: str) -> None:  # not Choice's own, which would list them now
        self.subject = subject
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        from . import formats

        return tuple(formats.names(self.subject))


def internal_error(exc: Exception, debug: bool) -> int:
    """Report a bug in one line (after its traceback when debugging) and give its exit code."""
    if debug or os.environ.get("ADVISOR_DEBUG") == "1":
        import traceback

        click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
    message = visible(f"{type(exc).__name__}: {exc}".replace("\n", " "))
    click.echo(f"advisor: internal error: {message}; please report it", err=True)
    return EXIT_INTERNAL


def use_color(flag: bool | None, output: str | None) -> bool:
    """Colour only on a terminal, never into a file, never with NO_COLOR set."""
    if flag is not None:
        return flag
    if (output and output != "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def text_width(output: str | None) -> int:
    """The text view's width: the terminal's (never under 40) when printing to one, else 80."""
    if (output and output != "-") or not sys.stdout.isatty():
        return 80
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def emit(text: str | Iterable[str], output: str | None, inputs: Iterable[str | None] = ()) -> None:
    """Print ``text`` (a string or its pieces), or write it to ``output`` (``-`` is standard
    output): atomically to a file, directly to a FIFO or terminal (see
    :func:`advisor.files.write_atomic`).

    Text that cannot be encoded, or an ``output`` that is one of the ``inputs`` the
    command read, is an error before anything is written.
    """
    if output and output != "-":
        refuse_inputs(output, inputs)
        write_atomic(output, text)
        return
    pieces = [text] if isinstance(text, str) else list(text)
    for piece in pieces:
        encoded(piece, getattr(sys.stdout, "encoding", None) or "utf-8")
    for piece in pieces:
        # use_color already decided; click would strip the colour again off a terminal.
        click.echo(piece, nl=False, color=True)


rules_option = click.option(
    "--rules",
    "rules_path",
    metavar="PACK",
    help="A shipped rule pack's name (see 'advisor rules packs') or a pack file, instead of the default pack.",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "ru"]),
    default="en",
    show_default=True,
    help="The language of the wording (JSON keys and ids stay English).",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write to this file (atomically) instead of standard output.",
)
quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing on standard output; the exit code tells the outcome."
)


def deprecated_alias(name: str, dest: str, replacement: str, **kwargs):
    """A hidden, deprecated spelling of an option, kept so that existing scripts go on working."""

    def warn(ctx: click.Context, param: click.Parameter, value):
        if value is not None:
            click.echo(f"advisor: {name} is deprecated; use {replacement}", err=True)
        return value

    return click.option(name, dest, hidden=True, callback=warn, expose_value=True, **kwargs)


def one_of(ctx: click.Context, new: str, old: str, value, old_value):
    """The value of an option given as its new or its deprecated spelling (not both)."""
    if old_value is None:
        return value
    if ctx.get_parameter_source(_dest(new)) is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError(f"{old} and {new} say the same thing; give only {new}", ctx)
    return old_value


def _dest(name: str) -> str:
    return name.lstrip("-").replace("-", "_")

