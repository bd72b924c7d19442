"""`advisor decide --template FILE`: a user's template runs sandboxed.

Known template-injection payloads must fail with exit code 2 and one line naming the
template and its line, never a traceback and never their effect.
"""

from __future__ import annotations

import pytest

from advisor import api
from advisor.cli import cli

from .conftest import EXAMPLES

EXAMPLE = str(EXAMPLES / "payments-api.yaml")
HEADER = "Report for {{ decision.workload }}\n{# the payload is on line 3 #}\n"

# (payload, what the one-line message must say)
PAYLOADS = [
    ("{{ ''.__class__.__mro__ }}", "not allowed in a template"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in a template"),
    ("{{ ().__class__.__base__.__subclasses__() }}", "not allowed in a template"),
    ("{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}", "not allowed in a template"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "not allowed in a template"),
    ("{{ joiner.__init__.__globals__ }}", "not allowed in a template"),
    ("{{ namespace.__init__.__globals__ }}", "not allowed in a template"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", "not allowed in a template"),
    ("{{ lipsum | attr('__globals__') }}", "not allowed in a template"),
    ("{{ self._TemplateReference__context }}", "not allowed in a template"),
    ("{{ self.__init__.__globals__ }}", "not allowed in a template"),
    ("{{ ''['__class__'] }}", "not allowed in a template"),
    ("{{ dict.mro() }}", "not allowed in a template"),
    ("{{ decision.items.__self__ }}", "not allowed in a template"),
    ("{{ '{0.__class__}'.format(decision) }}", "not allowed in a template"),
    ("{{ '{a.__class__}'.format_map({'a': decision}) }}", "not allowed in a template"),
    ("{{ '%s' | format(decision.__class__) }}", "not allowed in a template"),
    ("{{ config }}", "undefined in template: 'config' is undefined"),
    ("{{ config.items() }}", "undefined in template"),
    ("{{ request.application.__globals__ }}", "undefined in template"),
    # attribute and item writes: the context is read-only
    ("{% set _ = decision.update({'workload': 'pwned'}) %}", "not allowed in a template"),
    ("{% set _ = decision.__setitem__('workload', 'pwned') %}", "not allowed in a template"),
    ("{% set _ = decision.options.append(1) %}", "not allowed in a template"),
    ("{% set _ = claims.pop('S6') %}", "not allowed in a template"),
    # Jinja maps this one runtime check to the line before it, so only the path is checked.
    ("{% set decision.workload = 'pwned' %}", "cannot assign attribute on non-namespace object"),
    # reaching for files or other templates
    ("{% include '/etc/passwd' %}", "template failed"),
    ("{% import 'os' as os %}", "template failed"),
    # exhausting memory or time in one expression
    ("{{ 'a' * 100000000 }}", "a repeated value would be longer than 1,000,000"),
    ("{{ [0] * 10000000 }}", "a repeated value would be longer than 1,000,000"),
    ("{{ 2 ** 10000000 }}", "a power would have more than 100,000 bits"),
    ("{{ range(10000000) | list | length }}", "template failed"),
]


@pytest.mark.parametrize(("payload", "message"), PAYLOADS, ids=[p for p, _ in PAYLOADS])
def test_an_injection_payload_exits_2_naming_the_template_line(runner, write, payload, message):
    """Each payload fails with exit 2 and `advisor: FILE:3: ...` on one line: no traceback, no output."""
    template = write("evil.md.j2", HEADER + payload + "\n")
    result = runner.invoke(cli, ["decide", EXAMPLE, "--template", str(template)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    where = f"advisor: {template}:" if "set decision.workload" in payload else f"advisor: {template}:3: "
    assert result.stderr.startswith(where), result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "uid=" not in result.stderr and "root:" not in result.stderr


def test_a_failing_template_leaves_no_output_file(runner, write, tmp_path):
    """When the template fails, --output FILE is not created, not even empty."""
    template = write("evil.md.j2", HEADER + "{{ ''.__class__ }}\n")
    target = tmp_path / "report.md"
    result = runner.invoke(cli, ["decide", EXAMPLE, "--template", str(template), "--output", str(target)])
    assert result.exit_code == 2
    assert not target.exists()


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("ok\nok\nok\n{% for x in %}\n", 4),
        ("{{ decision.workload\n", 1),
        ("one\n{% if true %}\ntwo\n", 3),
        ("{% endfor %}\n", 1),
    ],
)
def test_a_syntax_error_exits_2_with_its_line(runner, write, source, line):
    """A template that does not parse fails with exit 2, naming the template and the line of the error."""
    template = write("broken.j2", source)
    result = runner.invoke(cli, ["decide", EXAMPLE, "--template", str(template)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"advisor: {template}:{line}: template syntax error: "), result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_template_exits_2(runner, tmp_path):
    """A --template that does not exist is reported as such, with exit 2."""
    missing = tmp_path / "nope.j2"
    result = runner.invoke(cli, ["decide", EXAMPLE, "--template", str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"advisor: {missing}: no such template\n"


def test_a_good_user_template_renders_the_decision(runner, write):
    """A user's template sees the decision, its views and the filters, and renders exactly."""
    template = write(
        "mine.txt.j2",
        "{{ decision.workload }}: {{ titles[decision.recommendation] }} by {{ decision.margin }}\n"
        "{% for g in groups %}{{ g.title }}: {{ g.rules | map(attribute='rule') | join(', ') }}\n{% endfor %}"
        "{{ decision.scores.docker | points }} {{ 'a|b' | md }}\n",
    )
    result = runner.invoke(cli, ["decide", EXAMPLE, "--template", str(template)])
    assert result.exit_code == 0, result.stderr
    d = api.decide(EXAMPLE)
    expected = f"{d.workload}: {d.option(d.recommendation).title} by {d.margin}\n"
    for row in d.dimensions:  # the dimensions where rules fired, in the pack's order
        assert row.rules == [r.rule for r in d.fired if r.dimension == row.id]
        expected += f"{row.title}: {', '.join(row.rules)}\n"
    expected += f"+{d.scores['docker']} a\\|b\n"
    assert result.stdout == expected


def test_a_user_html_template_is_autoescaped(runner, write):
    """A user's .html template escapes the workload's text like the shipped HTML report does."""
    workload = write("w.yaml", "name: '<b>x</b> & y'\nrequirements: {architecture: microservices}\n")
    template = write("mine.html", "<p>{{ decision.workload }}</p>\n")
    result = runner.invoke(cli, ["decide", str(workload), "--template", str(template)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>\n"
