"""Decision renderers: exact output against golden files, escaping, wording, colour, dates.

The decision is built by hand here, not by the engine, so these tests pin down the
renderers alone. ``ADVISOR_UPDATE_GOLDEN=1 pytest tests/test_reports.py`` rewrites the
golden files under ``tests/golden/`` after an intended change; review the diff.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from advisor import cli as cli_module
from advisor.cli import cli, use_color
from advisor.decision import decide
from advisor.decision_model import Decision, PackInfo, decision_from_json
from advisor.formats import RenderOptions, names, render
from advisor.formats.decision_formats import score_chart
from advisor.rulepack import load_pack
from advisor.workload import workload_from_data

from .conftest import EXAMPLES, ROOT, assert_golden

DATE = "2024-05-01"
PAYLOAD = "<script>alert(1)</script>"
NASTY = f'{PAYLOAD} a | b & "c" <img src=x onerror=alert(2)> *em* [link](https://evil.invalid/)'


THREE = ROOT / "tests" / "packs" / "three-options.yaml"
LEDGER = {
    "architecture": "microservices",
    "untrusted_code": False,
    "startup": "seconds",
    "density": "high",
    "os_testing": True,
}


def decided(requirements: dict | None = None, **fields) -> Decision:
    """A real decision of the three-option test pack, through durable-rules, with its what-ifs."""
    workload = workload_from_data(
        {
            "name": "ledger-api",
            "description": 'Ledger for "billing & invoicing" <v2>, one of forty services.',
            "declared": "vm",
            "requirements": LEDGER if requirements is None else requirements,
            **fields,
        }
    )
    return decide(workload, load_pack(THREE))


def hand_built(**changes) -> Decision:
    """The ledger decision (docker chosen with a real con, vm behind, wasm vetoed), with text fields changed."""
    return replace(decided(), **changes)


@pytest.mark.parametrize(
    ("fmt", "suffix", "date"),
    [("text", "txt", None), ("md", "md", DATE), ("html", "html", DATE), ("json", "json", None)],
)
def test_each_format_matches_its_golden_file(fmt, suffix, date):
    """Each renderer turns the hand-built decision into exactly the text of its golden file."""
    assert_golden(f"decision.{suffix}", render("decision", fmt, hand_built(), RenderOptions(date=date)))


def test_the_registry_lists_exactly_the_four_decision_formats():
    """The formats offered by `advisor decide --format` are the registry's: text, md, html, json."""
    assert names("decision") == ["text", "md", "html", "json"]


def test_json_is_the_decision_model_and_loads_back():
    """The JSON format is the decision itself: it loads back into an equal Decision."""
    out = render("decision", "json", hand_built())
    assert json.loads(out)["schema_version"] == 1
    assert decision_from_json(out) == hand_built()


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_a_decision_read_back_from_its_json_renders_the_same(fmt):
    """The JSON carries everything the views show: a Decision loaded from it renders byte for byte alike."""
    options = RenderOptions(date=DATE)
    original = hand_built()
    again = decision_from_json(render("decision", "json", original))
    assert render("decision", fmt, again, options) == render("decision", fmt, original, options)


def test_reports_are_identical_across_processes_with_different_hash_seeds():
    """The CLI's output of every example in every format does not depend on Python's hash seed."""
    script = (
        "import sys\n"
        "from advisor import api\n"
        "from advisor.formats import RenderOptions, names, render\n"
        "pack = api.load_rules()\n"
        "for path in sys.argv[1:]:\n"
        "    d = api.decide(path, pack)\n"
        "    for fmt in names('decision'):\n"
        "        sys.stdout.write(render('decision', fmt, d, RenderOptions()))\n"
    )
    files = [str(p) for p in sorted(EXAMPLES.glob("*")) if p.suffix in (".yaml", ".json")]
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        proc = subprocess.run(
            [sys.executable, "-c", script, *files], capture_output=True, env=env, cwd=ROOT, check=True
        )
        outputs.append(proc.stdout)
    assert len(outputs[0]) > 10_000
    assert outputs[0] == outputs[1]


# --- escaping ---------------------------------------------------------------------


def hostile() -> Decision:
    """The hand-built decision with markup in every piece of text a workload or pack supplies."""
    nasty = NASTY
    d = hand_built()
    return hand_built(
        workload=PAYLOAD + " | x",
        description=nasty,
        pack=PackInfo(name="p|k", version="1|0", title=nasty, source={"title": nasty, "document": "a`b|c"}),
        options=[
            replace(
                o,
                title=f"{o.id} | {PAYLOAD}",
                next_steps=[{"text": nasty, "command": f"echo '{PAYLOAD}' | cat ``` x", "sources": ["S6"]}],
            )
            for o in d.options
        ],
        fired=[replace(r, because=nasty, condition=nasty) for r in d.fired],
        claims=[replace(c, quote=nasty, text=nasty, section=nasty) for c in d.claims],
    )


class Tags(HTMLParser):
    """Collects the start tags and attributes of an HTML document, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    parser.close()
    return parser


def test_html_escapes_every_piece_of_user_text():
    """Markup in names, descriptions and pack text shows as text in HTML: no script, img or handler."""
    html = render("decision", "html", hostile(), RenderOptions())
    parsed = parse_html(html)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "img", "iframe", "link"}
    # The only links are the report's own, from a reason to the claim it cites.
    assert all(attrs["href"].startswith("#claim-") for tag, attrs in parsed.tags if tag == "a")
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    assert PAYLOAD not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | x" in html
    assert PAYLOAD + " | x" in "".join(parsed.text)  # the name reads as typed


def test_html_is_self_contained():
    """The HTML report loads nothing: no script, no external stylesheet, image, font or link."""
    html = render("decision", "html", hand_built(), RenderOptions())
    lowered = html.lower()
    for needle in ("<script", "<link", "src=", "@import", "https:"):
        assert needle not in lowered, needle
    # Links and paint references stay inside the page: claim anchors and the veto hatching.
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(h.startswith("#claim-") for h in links)
    assert set(re.findall(r"url\(([^)]*)\)", html)) == {"#vetoed"}
    assert "<style>" in html and "<svg" in html
    assert "default-src 'none'" in html


def markdown_to_html(text: str) -> str:
    """Markdown as a permissive renderer shows it: raw HTML passes through."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


def test_markdown_makes_user_text_inert():
    """In Markdown, user text cannot open a tag, a link or emphasis, even where raw HTML is rendered."""
    md = render("decision", "md", hostile(), RenderOptions())
    parsed = parse_html(markdown_to_html(md))
    assert not {tag for tag, _ in parsed.tags} & {"script", "img", "a"}
    assert PAYLOAD + " | x" in "".join(parsed.text)
    # The unescaped text would have produced those tags; the check can fail.
    assert {"script", "img", "a"} <= {t for t, _ in parse_html(markdown_to_html("Text: " + NASTY)).tags}


def test_a_pipe_in_a_name_does_not_break_a_markdown_table():
    """Every row of every Markdown table has as many cells as its header, whatever the option titles."""
    html = markdown_to_html(render("decision", "md", hostile(), RenderOptions()))
    tables = re.findall(r"<table>.*?</table>", html, re.S)
    assert len(tables) == 3  # requirements, scores, points per dimension
    for table in tables:
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
        assert len(widths) == 1, widths
    assert f"wasm | {PAYLOAD}" in "".join(parse_html(html).text)


def test_control_characters_from_a_workload_never_reach_the_terminal():
    """An escape sequence in a workload name shows as visible text in the text, md and html views."""
    d = hand_built(workload="evil\x1b]0;pwned\x07\x9b2Jname")
    for fmt in ("text", "md", "html"):
        out = render("decision", fmt, d, RenderOptions(color=True))
        assert not re.search(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]", out), fmt
        assert "\x1b]" not in out and "pwned" in out, fmt
    assert "evil\\x1b]0;pwned\\x07\\x9b2Jname" in render("decision", "text", d, RenderOptions())


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_a_pack_without_a_source_still_renders(fmt):
    """A rule pack that names no source document gives a report without the "drawn from" clause."""
    d = hand_built(pack=PackInfo(name="mine", version="2", title="My pack", source={}))
    out = render("decision", fmt, d, RenderOptions())
    assert "ledger-api" in out and "drawn from" not in out


# --- wording of each outcome --------------------------------------------------------


OUTCOMES = {
    "tie": {"untrusted_code": False, "startup": "seconds"},
    "all_vetoed": {"custom_kernel": True, "performance": "critical"},
    "no_rules_fired": {
        "scaling": "fixed",
        "isolation": "high",
        "guest_os": "same",
        "full_os": False,
        "deploy_frequency": "rare",
    },
    "only_one_left": {"custom_kernel": True},
}


def outcome(name: str) -> Decision:
    return decided(OUTCOMES[name])


@pytest.mark.parametrize(
    ("name", "headline", "verdict"),
    [
        ("tie", "No recommendation: the options tie", "Docker containers and Virtual machines tie on 2 points"),
        (
            "all_vetoed",
            "No recommendation: every option is ruled out",
            "Docker containers is ruled out by `own-kernel` (as the workload states `custom_kernel: true`); "
            "Virtual machines is ruled out by `bare-metal-speed` (as the workload states `performance: critical`); "
            "WebAssembly is ruled out by `own-kernel` (as the workload states `custom_kernel: true`): "
            "no option is left.",
        ),
        (
            "no_rules_fired",
            "No recommendation: no rule applies",
            "no rule of the pack applies to the 5 requirements stated",
        ),
        (
            "only_one_left",
            "Recommendation: Virtual machines",
            "Docker containers is ruled out by `own-kernel` (as the workload states `custom_kernel: true`); "
            "WebAssembly is ruled out by `own-kernel` (as the workload states `custom_kernel: true`), "
            "which leaves Virtual machines.",
        ),
    ],
)
def test_each_outcome_is_worded_honestly(name, headline, verdict):
    """Tie, all vetoed, no rule fired and a lone survivor each get their own headline and verdict, in md and html."""
    decision = outcome(name)
    for fmt in ("md", "html"):
        out = render("decision", fmt, decision, RenderOptions())
        assert headline in out, fmt
        assert (verdict if fmt == "md" else re.sub(r"`([^`]*)`", r"<code>\1</code>", verdict)) in out, fmt
        if decision.recommendation is None:
            assert "Recommendation:" not in out
            assert "there is no recommendation to compare it with" in out
            assert "With no recommendation there is no choice to weigh" in out


def test_the_recommended_summary_gives_margin_count_and_declared_difference():
    """The summary names the choice, its margin, the rules adding most to its lead, and the declared option."""
    md = render("decision", "md", hand_built(), RenderOptions())
    summary = md.split("## Requirements")[0]
    assert "**Recommendation: Docker containers** (ahead of Virtual machines by 10 points; stable: " in summary
    assert (
        "Docker containers leads Virtual machines by 10 points, chiefly as density is high (+13, `dense`), "
        "architecture is microservices (+3, `microservices`) and startup is seconds or subsecond (+2, `fast-start`)."
    ) in summary
    assert "The team declared Virtual machines; the advice differs: Docker containers." in summary


def test_tradeoffs_list_the_reasons_for_other_options_strongest_first():
    """Trade-offs are the rules pushing towards another option or away from the choice, strongest first."""
    md = render("decision", "md", hand_built(), RenderOptions())
    section = md.split("## Trade-offs")[1].split("## Next steps")[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    # Fired in the order shared-kernel, fast-start, os-testing; listed by strength 5, 3, 2.
    assert lines == [
        "- **Virtual machines +5, Docker containers -1** from `os-testing`, as os_testing is true",
        "- **WebAssembly +3 (ruled out)** from `fast-start`, as startup is seconds or subsecond",
        "- **Virtual machines +2** from `shared-kernel`, as untrusted_code is false",
    ]


def test_next_steps_quote_the_lifecycle_commands_and_their_claim():
    """For containers the next steps give the lifecycle commands, citing claim S6, quoted once under Sources."""
    md = render("decision", "md", hand_built(), RenderOptions())
    section = md.split("## Next steps")[1].split("## What would change")[0]
    step = "2. Stop and remove it when it is replaced. (S6)\n   ```sh\n   docker stop ledger && docker rm ledger\n"
    assert step in section
    quoted = "- **S6** (§ Примеры кода): «docker run -d --name my_container nginx:latest» *The container lifecycle.*"
    assert quoted in md.split("## Sources")[1]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_date_line_appears_only_when_a_date_is_given(fmt):
    """A report has a date line only when RenderOptions.date is set."""
    assert "Report date" not in render("decision", fmt, hand_built(), RenderOptions())
    dated = render("decision", fmt, hand_built(), RenderOptions(date=DATE))
    assert dated.count("Report date") == 1 and DATE in dated


def test_the_cli_dates_a_report_from_source_date_epoch_or_the_date_option(runner, monkeypatch):
    """`advisor decide` prints a date from --date, else from SOURCE_DATE_EPOCH, else none."""
    example = str(EXAMPLES / "payments-api.yaml")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert "Report date" not in runner.invoke(cli, ["decide", example, "-f", "md"]).output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert "Report date: 2023-11-14\n" in runner.invoke(cli, ["decide", example, "-f", "md"]).output
    out = runner.invoke(cli, ["decide", example, "-f", "md", "--date", "2024-02-29"]).output
    assert "Report date: 2024-02-29\n" in out


# --- the chart --------------------------------------------------------------------


def test_chart_bars_share_one_scale_around_a_zero_axis():
    """Bars are proportional to the scores: positive ones start at the axis, negative ones end at it."""
    chart = score_chart(hand_built())
    bars = {b["id"]: b for b in chart["bars"]}
    assert bars["docker"]["x"] == chart["axis"]
    assert bars["vm"]["x"] + bars["vm"]["width"] == pytest.approx(chart["axis"])
    assert bars["docker"]["width"] / 8 == pytest.approx(bars["vm"]["width"] / 2, abs=0.01)
    assert bars["wasm"]["width"] / 3 == pytest.approx(bars["docker"]["width"] / 8, abs=0.01)
    assert bars["docker"]["width"] + bars["vm"]["width"] == pytest.approx(chart["plot_width"], abs=0.01)


@pytest.mark.parametrize("scores", [{"docker": 0, "vm": 0, "wasm": 0}, {"docker": -5, "vm": -1, "wasm": 0}])
def test_chart_handles_zero_and_negative_scores(scores):
    """All-zero scores draw zero-width bars; all-negative scores grow left from an axis at the right."""
    d = hand_built(options=[replace(o, score=scores[o.id]) for o in hand_built().options], scores=scores)
    chart = score_chart(d)
    for bar in chart["bars"]:
        assert bar["x"] >= chart["label_width"]
        assert bar["x"] + bar["width"] <= chart["label_width"] + chart["plot_width"] + 0.01
        if bar["score"] == 0:
            assert bar["width"] == 0 and bar["x"] == chart["axis"]
        else:
            assert bar["x"] + bar["width"] == pytest.approx(chart["axis"])
    html = render("decision", "html", d, RenderOptions())
    assert html.count("data-score=") == 3


# --- colour -----------------------------------------------------------------------


class FakeStdout:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("flag", "output", "tty", "no_color", "expected"),
    [
        (None, None, True, None, True),
        (None, None, False, None, False),
        (None, None, True, "1", False),
        (None, None, True, "", True),  # an empty NO_COLOR does not count as set
        (None, "report.txt", True, None, False),
        (True, None, False, "1", True),  # an explicit --color wins
        (False, None, True, None, False),
    ],
)
def test_use_color_decides_from_flag_terminal_output_and_no_color(monkeypatch, flag, output, tty, no_color, expected):
    """Colour: on a terminal only, never into a file, never with NO_COLOR, unless --color/--no-color says so."""
    monkeypatch.setattr(cli_module.sys, "stdout", FakeStdout(tty))
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color(flag, output) is expected


def test_the_text_view_is_coloured_only_when_asked(runner):
    """The text view has ANSI colour codes with colour on, and none at all with it off."""
    example = str(EXAMPLES / "kernel-module-ci.yaml")
    plain = runner.invoke(cli, ["decide", example]).output
    coloured = runner.invoke(cli, ["decide", example, "--color"]).output
    assert "\x1b[" not in plain
    assert "\x1b[1;32mVirtual machines\x1b[0m" in coloured
    assert "\x1b[31mdocker veto\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_a_real_terminal_gets_colour_unless_no_color_is_set():
    """Run in a pseudo-terminal, `advisor decide` colours its output; with NO_COLOR set it does not."""
    pexpect = pytest.importorskip("pexpect")
    example = str(EXAMPLES / "payments-api.yaml")
    outputs = {}
    for no_color in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        if no_color:
            env["NO_COLOR"] = no_color
        child = pexpect.spawn(
            sys.executable, ["-m", "advisor", "decide", example], env=env, encoding="utf-8", timeout=60
        )
        outputs[no_color] = child.read()
        child.close()
        assert child.exitstatus == 0, outputs[no_color]
    assert "\x1b[1m" in outputs[""]
    assert "\x1b[" not in outputs["1"]


@pytest.mark.parametrize(("columns", "expected"), [(60, 60), (120, 120), (30, 40)])
def test_the_text_view_fits_a_real_terminal(columns, expected):
    """In a pseudo-terminal of N columns the text view wraps to N (never under 40); no line is longer."""
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "advisor", "decide", str(EXAMPLES / "plugin-platform.yaml")],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, columns),
    )
    text = child.read().replace("\r\n", "\n")
    child.close()
    assert child.exitstatus == 0, text
    widest = max(len(line) for line in text.splitlines())
    assert expected - 12 <= widest <= expected, widest


def test_the_text_view_is_80_columns_when_not_a_terminal(runner):
    """Piped or written to a file, the text view wraps at 80 columns."""
    out = runner.invoke(cli, ["decide", str(EXAMPLES / "plugin-platform.yaml")]).output
    assert 68 <= max(len(line) for line in out.splitlines()) <= 80


# --- the CLI ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_output_writes_the_same_report_as_standard_output(runner, tmp_path, fmt):
    """`--output FILE` writes exactly what standard output would show."""
    example = str(EXAMPLES / "payments-api.yaml")
    shown = runner.invoke(cli, ["decide", example, "-f", fmt])
    target = tmp_path / f"report.{fmt}"
    written = runner.invoke(cli, ["decide", example, "-f", fmt, "--output", str(target)])
    assert shown.exit_code == written.exit_code == 0
    assert written.output == ""
    assert target.read_text(encoding="utf-8") == shown.output


def test_an_unknown_format_exits_2_listing_the_known_ones(runner):
    """`--format pdf` is refused with exit code 2, naming text, md, html and json."""
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml"), "-f", "pdf"])
    assert result.exit_code == 2
    assert "'text', 'md', 'html', 'json'" in result.output


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.y*ml")) + ["edge-cache.json"])
def test_every_example_renders_a_full_markdown_report(runner, example):
    """Each example's Markdown report has every section; every reason cites claims quoted under Sources."""
    out = runner.invoke(cli, ["decide", str(EXAMPLES / example), "-f", "md"])
    assert out.exit_code == 0, out.output
    for heading in (
        "Summary",
        "Requirements",
        "Scores",
        "Reasons",
        "Vetoes",
        "Trade-offs",
        "Next steps",
        "What would change the advice",
        "Sources",
    ):
        assert f"\n## {heading}\n" in out.output, heading
    reasons = out.output.split("\n## Reasons\n")[1].split("\n## Vetoes\n")[0].split("\n- **")[1:]
    assert reasons or "No rule's condition holds" in out.output
    quoted = set(re.findall(r"^- \*\*(S[0-9][^*]*)\*\* \(§", out.output.split("\n## Sources\n")[1], re.M))
    for reason in reasons:
        cited = re.search(r"\(((?:S[0-9][\w.]*(?:, )?)+)\)$", reason.splitlines()[0])
        assert cited, reason
        assert set(cited.group(1).split(", ")) <= quoted, reason


def test_the_readme_markdown_example_is_real_output(runner):
    """Every part of the README's Markdown example appears verbatim in the report it says it comes from."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("\n## Reports\n")[1].split("````markdown\n")[1].split("\n````")[0]
    out = runner.invoke(cli, ["decide", str(EXAMPLES / "plugin-platform.yaml"), "--format", "md"]).output
    parts = example.split("\n\n…\n\n")
    assert len(parts) >= 3
    for part in parts:
        assert part in out, part


def test_the_readme_quick_start_output_is_real_output(runner):
    """The quick start's terminal excerpt, cut at its `...` lines, appears piece by piece in decide's output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "advisor decide examples/payments-api.yaml\n```"
    example = readme.split(command)[1].split("```text\n")[1].split("\n```")[0]
    result = runner.invoke(cli, ["decide", str(EXAMPLES / "payments-api.yaml")])
    assert result.exit_code == 0 and result.output
    parts = [p.strip("\n") for p in re.split(r"^ *\.\.\.$", example, flags=re.M) if p.strip()]
    assert len(parts) >= 2
    for part in parts:
        assert part in result.output, part
