"""Outputs that would destroy an input, and files a check must not read or show wrongly."""

from __future__ import annotations

import os
import shutil

import pytest

from advisor.cli import cli

from .conftest import ROOT
from .test_hostile import WORKLOAD, leftovers, one_error_line

VETOED = "name: w\ndeclared: docker\nrequirements: {isolation: strict}\n"
PACK_FILE = ROOT / "tests" / "packs" / "unstable.yaml"

# Each command with an output option, pointed at one of its own inputs.
ONTO_AN_INPUT = {
    "adr onto its workload": (["adr", "w.yaml", "-o", "w.yaml"], "w.yaml"),
    "adr onto its pack": (["adr", "w.yaml", "--rules", "pack.yaml", "-o", "pack.yaml"], "pack.yaml"),
    "show-source onto its pack": (
        ["rules", "show-source", "--rules", "rules/docker-vs-vm.yaml", "-o", "rules/docker-vs-vm.yaml"],
        "rules/docker-vs-vm.yaml",
    ),
    "show-source onto its document": (
        ["rules", "show-source", "--rules", "rules/docker-vs-vm.yaml", "-o", "rules/sources/docker-vs-vm.ru.txt"],
        "rules/sources/docker-vs-vm.ru.txt",
    ),
    "schema onto its pack": (["schema", "--rules", "pack.yaml", "-o", "pack.yaml"], "pack.yaml"),
    "rules list onto its pack": (["rules", "list", "--rules", "pack.yaml", "-o", "pack.yaml"], "pack.yaml"),
    "rules analyze onto its pack": (["rules", "analyze", "pack.yaml", "-o", "pack.yaml"], "pack.yaml"),
    "baseline onto the workload": (["check", "w.yaml", "--write-baseline", "w.yaml"], "w.yaml"),
    "baseline onto the pack": (
        ["check", "w.yaml", "--rules", "pack.yaml", "--write-baseline", "pack.yaml"], "pack.yaml"
    ),
}


@pytest.mark.parametrize("case", sorted(ONTO_AN_INPUT))
def test_no_command_writes_its_output_onto_one_of_its_inputs(runner, tmp_path, monkeypatch, case):
    """Every command's output onto a file it reads exits 2 in one line and leaves the file as it was."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    shutil.copy(PACK_FILE, tmp_path / "pack.yaml")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    args, target = ONTO_AN_INPUT[case]
    before = (tmp_path / target).read_bytes()
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "is also an input" in one_error_line(result)
    assert (tmp_path / target).read_bytes() == before
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "rules") == []


def test_a_baseline_that_cannot_be_written_leaves_the_report_file_as_it_was(runner, tmp_path, monkeypatch):
    """check -o R --write-baseline into a missing folder exits 2 before R is replaced."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    (tmp_path / "report.txt").write_text("KEEP\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", "w.yaml", "-o", "report.txt", "--write-baseline", "nodir/b.json"])
    assert result.exit_code == 2
    assert one_error_line(result) == "advisor: nodir/b.json: the folder does not exist\n"
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "KEEP\n"


def test_a_link_out_of_the_searched_folder_is_an_error_and_never_read(runner, tmp_path, monkeypatch):
    """A workload file that links outside the folder is reported, and nothing of its target is shown."""
    outside = tmp_path / "secret.yaml"
    outside.write_text("root-hash-line: x\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.workload.yaml").write_text(WORKLOAD, encoding="utf-8")
    os.symlink(outside, repo / "b.workload.yaml")
    os.symlink("a.workload.yaml", repo / "c.workload.yaml")
    monkeypatch.chdir(repo)
    for fmt in ("text", "json", "sarif", "html"):
        result = runner.invoke(cli, ["check", ".", "-f", fmt])
        assert result.exit_code == 2
        assert "root-hash-line" not in result.output
    text = runner.invoke(cli, ["check", "."]).output
    assert "b.workload.yaml: a symbolic link out of the searched folder; not read" in text
    assert "PASS      c.workload.yaml" in text


def test_the_fleet_page_links_a_file_whose_name_is_not_utf8_by_its_bytes(runner, tmp_path, monkeypatch):
    """A folder named by a byte that is not UTF-8 is linked as %FF and shown escaped, not a crash."""
    monkeypatch.chdir(tmp_path)
    folder = os.fsdecode(b"\xff")
    os.mkdir(folder)
    (tmp_path / folder / "workload.yaml").write_text(VETOED, encoding="utf-8")
    result = runner.invoke(cli, ["check", ".", "-f", "html"])
    assert result.exit_code == 1, result.output + result.stderr
    assert 'href="./%FF/workload.yaml"' in result.output
    assert ">\\xff/workload.yaml:2</a>" in result.output


def test_the_fleet_page_without_waivers_is_the_same_on_any_day(runner, tmp_path, monkeypatch):
    """With no waiver to judge, the page names no day, so it reads the same tomorrow."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    pages = [runner.invoke(cli, ["check", "w.yaml", "-f", "html", "--date", day]).output
             for day in ("2026-01-01", "2027-06-30")]
    assert pages[0] == pages[1]
    assert "2026-01-01" not in pages[0]


def test_a_pack_with_more_options_than_allowed_is_refused_in_one_line(runner, tmp_path, monkeypatch):
    """A pack offering more than MAX_OPTIONS options exits 2, since a decision compares every pair."""
    from advisor.packrecords import MAX_OPTIONS

    monkeypatch.chdir(tmp_path)
    text = PACK_FILE.read_text(encoding="utf-8")
    extra = "".join(f"  o{i}:\n    title: O{i}\n    summary: S.\n" for i in range(MAX_OPTIONS - 1))
    (tmp_path / "pack.yaml").write_text(text.replace("options:\n", "options:\n" + extra, 1), encoding="utf-8")
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    result = runner.invoke(cli, ["decide", "w.yaml", "--rules", "pack.yaml"])
    assert result.exit_code == 2
    assert f"at most {MAX_OPTIONS} options are allowed, got {MAX_OPTIONS + 1}" in one_error_line(result)


def test_a_baseline_with_a_number_past_the_digit_limit_is_refused_in_one_line(runner, tmp_path, monkeypatch):
    """A baseline whose schema_version has thousands of digits exits 2 naming the file, not 70."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    (tmp_path / "b.json").write_text('{"schema_version": ' + "1" * 5000 + "}", encoding="utf-8")
    result = runner.invoke(cli, ["check", "w.yaml", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert one_error_line(result) == "advisor: b.json: not a baseline: a number too long to read\n"


def test_a_pyproject_nested_too_deeply_is_refused_in_one_line(runner, tmp_path, monkeypatch):
    """A [tool.advisor] table whose value nests thousands deep exits 2 naming pyproject.toml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.advisor]\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    result = runner.invoke(cli, ["check", "w.yaml"])
    assert result.exit_code == 2
    assert one_error_line(result) == "advisor: pyproject.toml: invalid TOML: nested too deeply\n"


def test_an_adr_dir_naming_a_null_byte_is_refused_in_one_line(runner, tmp_path, monkeypatch):
    """A .adr-dir whose folder name holds a NUL byte exits 2 naming the marker."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    (tmp_path / ".adr-dir").write_text("recs\0x\n", encoding="utf-8")
    result = runner.invoke(cli, ["adr", "w.yaml"])
    assert result.exit_code == 2
    assert one_error_line(result).endswith("/.adr-dir: should hold one folder name\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".adr-dir", "w.yaml"]


def test_check_reads_a_bounded_list_of_paths_from_standard_input(runner, tmp_path, monkeypatch):
    """check - fed more paths than its limit exits 2 instead of reading an endless stream."""
    import advisor.cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(advisor.cli, "MAX_STDIN_PATHS", 1000)
    result = runner.invoke(cli, ["check", "-"], input="w.yaml\n" * 200)
    assert result.exit_code == 2
    assert "standard input holds more than" in result.stderr


@pytest.mark.parametrize("kind", ["broken link", "folder", "FIFO"])
def test_a_policy_file_that_cannot_be_read_is_an_error_not_passed_over(runner, tmp_path, monkeypatch, kind):
    """An .advisor.yaml that is a broken link, a folder or a FIFO exits 2 naming it, never the default policy."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "w.yaml").write_text(WORKLOAD, encoding="utf-8")
    policy = tmp_path / ".advisor.yaml"
    make = {"broken link": lambda: os.symlink("nowhere", policy), "folder": policy.mkdir,
            "FIFO": lambda: os.mkfifo(policy)}
    make[kind]()
    result = runner.invoke(cli, ["check", "w.yaml"])
    assert result.exit_code == 2
    assert one_error_line(result).startswith("advisor: .advisor.yaml: ")


def test_packs_merged_past_the_option_limit_are_refused(monkeypatch):
    """Two packs each within the option limit are refused when together they offer more."""
    from advisor import api, packrecords
    from advisor.errors import RulePackError

    base, other = api.load_rules(None), api.load_rules(ROOT / "tests" / "packs" / "three-options.yaml")
    monkeypatch.setattr(packrecords, "MAX_OPTIONS", len(base.options))
    other = packrecords.replace(other, rules=())
    with pytest.raises(RulePackError, match=f"more than {len(base.options)} options in all"):
        base.merged(other)
