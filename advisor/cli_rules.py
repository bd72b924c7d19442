"""``advisor rules``: list, show and check rule packs."""

from __future__ import annotations

from pathlib import Path

import click

from . import formats
from .cli_support import FormatChoice, emit, output_option, rules_option
from .errors import AdvisorError, visible


@click.group()
def rules() -> None:
    """List and check rule packs."""


@rules.command("list")
@rules_option
@click.option("--format", "-f", "fmt", type=FormatChoice("rules"), default="text", show_default=True)
@output_option
def rules_list(rules_path, fmt, output) -> None:
    """List the rules of the pack: condition, effects, reason and sources."""
    from . import api

    emit(formats.render("rules", fmt, api.load_rules(rules_path)), output, (rules_path,))


@rules.command("show-source")
@rules_option
@click.option("--path", "show_path", is_flag=True, help="Print where the document is instead of its text.")
@output_option
def rules_show_source(rules_path, show_path, output) -> None:
    """Print the source document the pack's rules cite (its claims quote it)."""
    from . import api
    from .yamlfile import read_text

    path = api.source_document(api.load_rules(rules_path))
    emit(f"{path}\n" if show_path else visible(read_text(path)[0]), output, (path, rules_path))


@rules.command("packs")
@click.option("--format", "-f", "fmt", type=FormatChoice("packs"), default="text", show_default=True)
def rules_packs(fmt) -> None:
    """List the shipped rule packs: name, title, version, options and number of rules."""
    from . import api
    from .resources import shipped_packs

    click.echo(formats.render("packs", fmt, [api.load_rules(name) for name in shipped_packs()]), nl=False)


@rules.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def rules_lint(paths) -> None:
    """Check rule packs (default: the shipped ones); print every problem as file:line: rule: what.

    A text with no Russian translation is a problem in a shipped pack, a warning in another.
    """
    from .errors import RulePackError
    from .packlint import untranslated
    from .resources import shipped_packs
    from .rulepack import check_pack

    found = 0
    shipped = {p.resolve() for p in shipped_packs().values()}
    for path in paths or tuple(str(p) for p in shipped_packs().values()):
        try:
            pack, problems = check_pack(path)
        except RulePackError as exc:  # unreadable: report it and lint the others
            click.echo(str(exc))
            found += 1
            continue
        for problem in problems:
            click.echo(str(problem))
        found += len(problems)
        if pack is None:
            continue
        # A shipped pack must be written in every language advisor writes; a pack of
        # one's own may not be (its reports then show its English), so that is a warning.
        must = Path(path).resolve() in shipped
        missing = untranslated(pack)
        for problem in missing:
            click.echo(str(problem) if must else f"{problem} (warning)")
        found += len(missing) if must else 0
        if not (must and missing):
            click.echo(f"{path}: ok: {len(pack.rules)} rules, {len(pack.options)} options")
    if found:
        raise AdvisorError(f"{found} problem{'s' if found > 1 else ''} found")


@rules.command("test")
@click.argument("packs", nargs=-1, metavar="[PACK]...")
@click.option(
    "--coverage-min",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Fail when fewer than N percent of a pack's rules are made to fire by its examples and cases.",
)
def rules_test(packs, coverage_min) -> int:
    """Run the examples of each rule and the cases of each pack (default: the shipped packs)
    through the engine; print each failure as file:line: rule-or-case: expected ..., got ...,
    then the coverage. Exit 1 on a failure or coverage below --coverage-min."""
    from .packtest_run import report, run

    result = run(list(packs), coverage_min)
    click.echo(report(result), nl=False)
    return result.exit_code


@rules.command("analyze")
@click.argument("pack", required=False, metavar="[PACK]")
@click.option("--format", "-f", "fmt", type=FormatChoice("analysis"), default="text", show_default=True)
@click.option(
    "--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="Least sets and examples listed."
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(0, min_open=True),
    help="Stop the stages still running after this long and mark the result partial.",
)
@output_option
def rules_analyze(pack, fmt, top, max_seconds, output) -> None:
    """Walk every requirement set of a pack (default: the default pack), exactly: how often each
    outcome occurs, dead, never-decisive and always-together rules, tie and close-margin regions,
    monotonicity violations."""
    from . import api
    from .analysis import analyze

    analysis = analyze(api.load_rules(pack), top=top, max_seconds=max_seconds)
    emit(formats.render("analysis", fmt, analysis), output, (pack,))
