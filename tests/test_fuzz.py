"""Fuzzing the real command line with hostile workload files, rule packs and policies.

Whatever the bytes, advisor answers with exit 0, 1 or 2, never a traceback; an error is
one line; and nothing is left behind in the folder but the output asked for. The runs are
derandomised with a fixed number of examples, so CI sees the same inputs every time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.cli import cli

FIELDS = ["isolation", "startup", "density", "architecture", "full_os", "untrusted_code", "kernel", "performance"]


def _literal(base: str, digits: str) -> str:
    return {"hex": "0x", "oct": "0o", "yaml11-oct": "0", "bin": "0b", "dec": "", "sexagesimal": "1:"}[base] + digits


# Number literals in every base YAML 1.1 knows, signed, with underscores, floats and specials.
# Integers of more than 4,300 digits are left out: the pack and workload loaders' messages for
# them are tested with the loaders.
numbers = st.one_of(
    st.builds(
        _literal,
        st.sampled_from(["hex", "oct", "yaml11-oct", "bin", "dec", "sexagesimal"]),
        st.text("0123456789abcdefABCDEF_", min_size=1, max_size=60),
    ),
    st.sampled_from([".inf", "-.inf", ".nan", "1e309", "-0", "+12", "1_000", "0x_1", "1.5e-400", "0b", "0x"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
# Double-quoted YAML escapes that Python turns into lone surrogates and control characters.
escapes = st.sampled_from(
    ['"\\ud800"', '"\\udfff"', '"a\\udc80b"', '"\\x00"', '"\\x1b[2J"', '"\\u2028"', '"\\U0010ffff"', '"\\N"']
)
scalars = st.one_of(
    numbers,
    escapes,
    st.sampled_from(["yes", "no", "on", "off", "~", "2025-02-30", "2024-05-01", "!!binary aGk=", "!!set {a}", "&a x",
                     "*a", "!!python/object:os.system ls", "'", '"', "[", "{", "|", ">-", "- -", "? x", "%TAG"]),
    st.text(max_size=20),
)


def _nested(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "flow" else "".join(f"{' ' * i}a:\n" for i in range(depth)) + "b"


deep = st.builds(_nested, st.integers(min_value=50, max_value=3000), st.sampled_from(["flow", "block"]))
values = st.one_of(scalars, deep, st.lists(scalars, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"))

workload_text = st.one_of(
    st.builds(
        lambda name, reqs, declared: f"name: {name}\ndeclared: {declared}\nrequirements:\n"
        + "".join(f"  {k}: {v}\n" for k, v in reqs),
        scalars,
        st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=4),
        st.one_of(st.just("docker"), scalars),
    ),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    values,
)

PACK = """\
pack: fuzz
title: {title}
claims: {{C1: {{section: s, quote: q, text: {claim}}}}}
options:
  docker: {{title: Docker, summary: first}}
  vm: {{title: VM, summary: second}}
rules:
  - {{id: r1, dimension: isolation, when: {{isolation: {when}}}, effects: {{docker: {effect}}},
     because: b, sources: [C1]}}
"""
pack_text = st.builds(
    lambda title, claim, when, effect: PACK.format(title=title, claim=claim, when=when, effect=effect),
    scalars, scalars, st.one_of(st.just("strict"), values), st.one_of(st.just("2"), numbers, scalars),
)
policy_text = st.builds(
    lambda margin, pattern, fail_on, waiver: f"margin: {margin}\npatterns: [{pattern}, w.yaml]\nfail_on: {fail_on}\n"
    f"waivers:\n  - {{workload: {waiver}, rule: r1, reason: r, expires: {waiver}}}\n",
    st.one_of(st.just("3"), numbers), st.one_of(st.just("'*.yaml'"), scalars),
    st.one_of(st.just("mismatch"), scalars), scalars,
)

FUZZ = settings(
    max_examples=40, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate goes in as the bytes a broken file holds


def _assert_clean(code: int, stdout: str, stderr: str, folder: Path, before: set[str], allowed: set[str]) -> None:
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stdout + stderr, stderr
    if code == 2:
        assert stderr.count("\n") <= 1, stderr
    assert set(os.listdir(folder)) - before <= allowed, os.listdir(folder)


def _run(args: list[str], files: dict[str, str], allowed: set[str] = frozenset({"out.txt"})) -> None:
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in files.items():
            (folder / name).write_bytes(_encode(text))
        before = set(os.listdir(folder))
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            result = CliRunner().invoke(cli, args)
        finally:
            os.chdir(cwd)
        _assert_clean(result.exit_code, result.stdout, result.stderr, folder, before, set(allowed))


@FUZZ
@given(workload_text, st.sampled_from(["text", "md", "html", "json"]))
@example('name: "\\udc80"\nrequirements: {isolation: strict}\n', "json")
def test_decide_survives_any_workload(text, fmt):
    """decide on any workload text exits 0 or 2 with one line, writing only its --output."""
    _run(["decide", "w.yaml", "-f", fmt, "-o", "out.txt"], {"w.yaml": text})


@settings(FUZZ, max_examples=20)
@given(pack_text)
@example(PACK.format(title='"\\ud800"', claim="c", when="strict", effect="2"))
def test_decide_and_lint_survive_any_pack(text):
    """decide and rules lint with any rule pack exit 0, 1 or 2, never a traceback."""
    files = {"p.yaml": text, "w.yaml": "name: w\nrequirements: {isolation: strict}\n"}
    _run(["decide", "w.yaml", "--rules", "p.yaml", "-f", "json"], files)
    _run(["rules", "lint", "p.yaml"], files)


@FUZZ
@given(policy_text, workload_text, st.sampled_from(["text", "json", "junit", "sarif", "github"]))
@example('patterns: ["\\ud800", w.yaml]\n', "name: w\nrequirements: {isolation: strict}\n", "json")
def test_check_survives_any_policy_and_workload(policy, text, fmt):
    """check with any policy and workload exits 0, 1 or 2 in every format, leaving only its --output."""
    _run(["check", ".", "-f", fmt, "-o", "out.txt"], {".advisor.yaml": policy, "w.yaml": text})


@settings(max_examples=4, derandomize=True, deadline=None, database=None)
@given(workload_text)
def test_the_installed_command_survives_any_workload(text):
    """The real process (python -m advisor) also exits 0 or 2 on fuzzed input, with no traceback."""
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "w.yaml").write_bytes(_encode(text))
        done = subprocess.run(
            [sys.executable, "-m", "advisor", "decide", "w.yaml"], cwd=folder, capture_output=True, text=True,
            timeout=60,
        )
        _assert_clean(done.returncode, done.stdout, done.stderr, folder, {"w.yaml"}, set())
