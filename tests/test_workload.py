"""The workload model and loader: good files load, every bad input gets one clear line."""

from __future__ import annotations

import json

import pytest

from advisor.errors import InputError
from advisor.workload import (
    REQUIREMENT_FIELDS,
    Requirements,
    field_specs,
    load_workload,
)
from advisor.workload_model import workload_schema

GOOD = """\
name: payments-api
declared: docker
requirements:
  isolation: high
  untrusted_code: false
"""


def error_of(write, text, name="w.yaml", options=None) -> str:
    path = write(name, text)
    with pytest.raises(InputError) as info:
        load_workload(path, options)
    message = str(info.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


def test_a_good_file_loads_with_stated_and_unspecified_fields(write):
    """Stated requirements are kept; every other field is listed as unspecified, in model order."""
    w = load_workload(write("w.yaml", GOOD), ["docker", "vm"])
    assert w.name == "payments-api" and w.declared == "docker"
    assert w.requirements.stated() == {"isolation": "high", "untrusted_code": False}
    assert w.requirements.unspecified() == [f for f in REQUIREMENT_FIELDS if f not in ("isolation", "untrusted_code")]


def test_json_files_load_like_yaml(write):
    """A JSON workload gives the same model as the YAML one."""
    data = {
        "name": "payments-api",
        "declared": "docker",
        "requirements": {"isolation": "high", "untrusted_code": False},
    }
    assert load_workload(write("w.json", json.dumps(data))) == load_workload(write("w.yaml", GOOD))


def test_stdin_is_read_for_dash(monkeypatch):
    """A path of '-' reads the workload from standard input."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode())))
    assert load_workload("-").name == "payments-api"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "FILE: is empty"),
        ("# only a comment\n", "FILE: is empty"),
        ("name: [unclosed\n", "FILE:2: invalid YAML"),
        ("- a\n- b\n", "FILE:1: expected a mapping of workload fields, got a list"),
        ("just text\n", "FILE:1: expected a mapping of workload fields, got a string"),
        ("requirements: {}\n", "FILE:1: name: required field is missing"),
        ("name: x\nrequirments: {}\n", "FILE:2: unknown field 'requirments' (did you mean 'requirements'?)"),
        (
            "name: x\nrequirements:\n  isolaton: high\n",
            "FILE:3: requirements: unknown field 'isolaton' (did you mean 'isolation'?)",
        ),
        (
            "name: x\nrequirements:\n  isolation: extreme\n",
            "FILE:3: requirements.isolation: 'extreme' is not allowed; choose one of standard, high, strict",
        ),
        (
            "name: x\nrequirements:\n  untrusted_code: 'yes'\n",
            "FILE:3: requirements.untrusted_code: expected true or false, got a string 'yes'",
        ),
        (
            "name: x\nrequirements:\n  untrusted_code: 1\n",
            "FILE:3: requirements.untrusted_code: expected true or false, got a number '1'",
        ),
        ("name: x\nrequirements: [a]\n", "FILE:2: requirements: expected a mapping, got a list"),
        ("name: 42\n", "FILE:1: name: expected a string, got a number"),
        ("name: ''\n", "FILE:1: name: must not be empty"),
        ("name: x\nname: y\n", "FILE:2: duplicate key 'name'"),
        ("a: &a [1]\nb: *a\n", "FILE:2: YAML aliases (*name) are not allowed"),
        ("name: x\n1: 2\n", "FILE:2: unknown field '1'"),
        ("name: x\nrequirements:\n  true: high\n", "FILE:3: requirements: unknown field 'true'"),
    ],
)
def test_bad_workloads_get_one_line_naming_file_line_and_field(write, text, expected):
    """Each kind of bad content is reported as file:line: field: what is wrong."""
    assert error_of(write, text).startswith(expected)


def test_several_problems_are_counted(write):
    """When a file has more than one problem the message says how many more."""
    message = error_of(write, "name: x\nrequirements:\n  isolation: extreme\n  startup: never\n")
    assert message.endswith("(and 1 more problem)")


def test_declared_must_name_an_option_of_the_pack(write):
    """A declared platform the pack does not know is an error listing the options."""
    message = error_of(write, "name: x\ndeclared: dokcer\n", options=["docker", "vm"])
    assert message == "FILE:2: declared: 'dokcer' is not an option; choose one of docker, vm (did you mean 'docker'?)"


def test_missing_file_and_folder(tmp_path):
    """A missing path and a folder are both clear errors."""
    with pytest.raises(InputError, match="no such file"):
        load_workload(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a folder"):
        load_workload(tmp_path)


def test_files_over_one_mebibyte_are_refused_unread(write):
    """A file larger than 1 MiB is refused before parsing."""
    assert error_of(write, "name: x\n" + "#" * (1024 * 1024)).endswith("file is larger than 1024 KiB")


def test_non_utf8_bytes_are_located(write):
    """Bytes that are not UTF-8 are reported with their line."""
    assert error_of(write, b"name: x\ndescription: caf\xe9\n") == ("FILE:2: not UTF-8 text (byte 0xe9 at offset 24)")


def test_alias_bombs_are_refused(write):
    """A billion-laughs document is refused at its first alias, not expanded."""
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)},*{chr(96 + i)},*{chr(96 + i)},*{chr(96 + i)}]\n"
    assert "aliases" in error_of(write, bomb)


def test_deep_nesting_is_refused(write):
    """A deeply nested document fails cleanly instead of overflowing the stack."""
    assert error_of(write, "name: " + "[" * 50_000 + "]" * 50_000 + "\n").endswith("nested too deeply")


def test_nul_bytes_are_refused(write):
    """A file with NUL bytes is not treated as text."""
    assert "NUL" in error_of(write, b"name: x\x00\n")


def test_field_specs_cover_the_model_grouped_by_dimension(pack):
    """Every requirement has a title, help, choices and a dimension of the default pack, grouped in its order."""
    specs = field_specs()
    assert [s.name for s in specs] == list(REQUIREMENT_FIELDS)
    assert all(s.title and s.help and s.choices and s.dimension in pack.dimensions for s in specs)
    order = [list(pack.dimensions).index(s.dimension) for s in specs]
    assert order == sorted(order)


def test_requirements_reject_unknown_values_in_python_too():
    """The model itself refuses values outside a field's choices."""
    with pytest.raises(ValueError):
        Requirements(isolation="extreme")


def test_the_json_schema_lists_fields_and_choices():
    """The JSON Schema carries every field with its description and allowed values."""
    schema = workload_schema()
    reqs = schema["$defs"]["Requirements"]["properties"]
    assert set(reqs) == set(REQUIREMENT_FIELDS)
    assert {"standard", "high", "strict"} <= set(json.dumps(reqs["isolation"]).replace('"', " ").split())
    assert schema["required"] == ["name"]


def test_an_impossible_date_is_located(write):
    """A date the calendar does not have is an error on its line, not a crash."""
    assert error_of(write, "name: x\ndescription: 2025-02-30\n") == (
        "FILE:2: '2025-02-30' is not a valid date (day is out of range for month)"
    )


def test_a_document_marker_alone_is_empty(write):
    """A file holding only '---' is reported as empty."""
    assert error_of(write, "---\n") == "FILE: is empty"


HUGE = "0x" + "f" * 4000  # an integer whose decimal form Python refuses to print


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"name: x\nrequirements:\n  isolation: {HUGE}\n",
         "FILE:3: requirements.isolation: '0x" + "f" * 57 + "…' is not allowed; choose one of standard, high, strict"),
        (f"name: x\n? {HUGE}\n: 1\n", "FILE:2: unknown field '0x" + "f" * 57 + "…'"),
        ("name: x\nrequirements:\n  startup: " + "9" * 5000 + "\n", "FILE:3: '" + "9" * 59 + "…' is too long a number"),
        ("name: x\ndeclared: " + "d" * 100_000 + "\n",
         "FILE:2: declared: '" + "d" * 59 + "…' is not an option; choose one of docker, vm"),
    ],
)
def test_huge_numbers_and_long_values_give_one_short_line(write, text, expected):
    """A number too long to print, or a long value, is reported in one line that shows only its start."""
    assert error_of(write, text, options=["docker", "vm"]) == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2024-05-01", "a date (quote it)"),
        ("2024-05-01 10:00:00", "a date and time (quote it)"),
        ("!!binary aGVsbG8=", "binary data (!!binary)"),
        ("!!set {a, b}", "a set (!!set)"),
        ("true", "true/false (quote it)"),
    ],
)
def test_a_value_yaml_reads_as_another_kind_is_named_by_that_kind(write, value, kind):
    """A name YAML reads as a date, bytes or a set says so, instead of 'expected a string, got a string'."""
    assert error_of(write, f"name: {value}\n") == f"FILE:1: name: expected a string, got {kind}"
