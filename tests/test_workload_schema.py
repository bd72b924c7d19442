"""The workload JSON Schema (`advisor schema`) agrees with the loader, as editors and check-jsonschema read it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from advisor.cli import cli
from advisor.errors import InputError
from advisor.workload import field_specs, load_workload
from advisor.workload_model import workload_schema

from .conftest import EXAMPLES
from .test_cli import TWO_OPTIONS

# Each document, and whether advisor (with the default pack) loads it.
DOCUMENTS = {
    "plain": ("name: a\ndeclared: vm\nrequirements:\n  untrusted_code: true\n  isolation: high\n", True),
    "nulls": ("name: a\ndeclared: ~\nrequirements:\n  isolation: null\n", True),
    "unknown option": ("name: a\ndeclared: Docker\n", False),
    "yes": ("name: a\nrequirements:\n  untrusted_code: yes\n", False),
    "off": ("name: a\nrequirements:\n  full_os: off\n", False),
    "On": ("name: a\nrequirements:\n  os_testing: On\n", False),
    "quoted true": ("name: a\nrequirements:\n  full_os: 'true'\n", False),
    "bad choice": ("name: a\nrequirements:\n  isolation: max\n", False),
    "unknown field": ("name: a\nrequirements:\n  isolaton: high\n", False),
    "no name": ("declared: vm\n", False),
}


def schema_of(runner, *args: str) -> dict:
    result = runner.invoke(cli, ["schema", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def loads(path: Path) -> bool:
    from advisor import api

    try:
        load_workload(path, api.load_rules().options)
    except InputError:
        return False
    return True


@pytest.mark.parametrize("case", list(DOCUMENTS))
def test_schema_and_loader_agree(case, runner, write):
    """A document is valid by the schema (read as YAML 1.2, as editors do) exactly when advisor loads it."""
    text, expected = DOCUMENTS[case]
    path = write("w.yaml", text)
    assert loads(path) is expected
    data = yaml.load(text, Loader=yaml.BaseLoader) if case in ("yes", "off", "On") else yaml.safe_load(text)
    valid = jsonschema.Draft202012Validator(schema_of(runner)).is_valid(data)
    assert valid is expected


def test_yaml11_booleans_are_refused_with_a_hint(write):
    """yes/no/on/off, booleans only to YAML 1.1, are refused on their line with 'write true or false'."""
    path = write("w.yaml", "name: a\nrequirements:\n  full_os: off\n")
    with pytest.raises(InputError) as caught:
        load_workload(path)
    assert str(caught.value) == (
        f"{path}:3: requirements.full_os: 'off' is a boolean to YAML 1.1 (advisor) but text to YAML 1.2 "
        "(editors); write true or false, or quote it"
    )


def test_declared_lists_the_packs_options(runner, write):
    """declared is an enum of the pack's options, described by their titles, for the default pack and --rules."""
    declared = schema_of(runner)["properties"]["declared"]
    assert declared["enum"] == ["docker", "vm", None]
    assert {"const": "vm", "description": "Virtual machines"} in declared["oneOf"]
    pack = write("tiny.yaml", TWO_OPTIONS)
    declared = schema_of(runner, "--rules", str(pack))["properties"]["declared"]
    assert declared["enum"] == ["a", "b", None]
    assert declared["markdownEnumDescriptions"] == ["Option A", "Option B", "not stated"]


def test_values_are_described_with_keywords_editors_show():
    """Every value of every requirement has a oneOf const with its description and a markdownEnumDescription."""
    properties = workload_schema()["$defs"]["Requirements"]["properties"]
    assert "choices" not in json.dumps(properties)
    for spec in field_specs():
        prop = properties[spec.name]
        described = {entry["const"]: entry["description"] for entry in prop["oneOf"] if "const" in entry}
        assert described == spec.choices
        assert prop["enum"] == [*spec.choices, None]
        assert prop["markdownEnumDescriptions"] == [*spec.choices.values(), "not stated"]


def test_check_jsonschema_reads_workloads_as_advisor_does(runner, tmp_path):
    """check-jsonschema passes the examples and fails the documents advisor refuses."""
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if tool is None:
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    schema = tmp_path / "workload.schema.json"
    schema.write_text(json.dumps(schema_of(runner)), encoding="utf-8")
    examples = sorted(str(p) for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))
    done = subprocess.run([tool, "--schemafile", str(schema), *examples], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for case, (text, expected) in DOCUMENTS.items():
        path = tmp_path / f"{case.replace(' ', '-')}.yaml"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run([tool, "--schemafile", str(schema), str(path)], capture_output=True, text=True,
                              timeout=120)
        assert (done.returncode == 0) is expected, (case, done.stdout)
