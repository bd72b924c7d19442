"""`advisor check` at fleet scale: shared verdicts, JSON written piece by piece, atomic pieces."""

from __future__ import annotations

import pytest

from advisor.check import check_files
from advisor.check_result import Verdicts
from advisor.errors import AdvisorError
from advisor.files import write_atomic
from advisor.formats import RenderOptions, render, render_pieces, to_json
from advisor.formats.check_formats import messages
from advisor.policy import Policy

from .test_check_formats import hand_built, with_control_characters
from .test_policy import TODAY, test_pack, workload  # noqa: F401  (test_pack is a fixture)


def whole_json(result) -> str:
    """The JSON of a check result made the simple way: the whole result as data, then one dump."""
    data = result.model_dump(mode="json")
    if data.get("baseline") is None:
        data.pop("baseline", None)
    for item, message in zip(data["results"], messages(data), strict=True):
        item["message"] = message
    return to_json(data)


@pytest.mark.parametrize("make", [hand_built, with_control_characters], ids=["hand-built", "control-characters"])
def test_json_written_in_pieces_is_the_whole_json(make):
    """The JSON written one workload at a time is byte for byte the JSON of the whole result."""
    result = make()
    assert "".join(render_pieces("check", "json", result, RenderOptions())) == whole_json(result)


def test_json_of_a_result_without_files():
    """A result with no workload in it still reads as the whole result does, with an empty list."""
    result = hand_built().model_copy(update={"results": [], "counts": dict.fromkeys(hand_built().counts, 0)})
    text = render("check", "json", result, RenderOptions())
    assert text == whole_json(result) and '"results": [],' in text


def test_files_judged_alike_share_one_verdict(tmp_path, test_pack):  # noqa: F811
    """Sixty files with two outcomes keep two verdicts, yet each file keeps its own path, line and name."""
    paths = []
    for i in range(60):
        path = tmp_path / f"s{i:02d}" / "workload.yaml"
        path.parent.mkdir()
        stated = {"startup": "seconds"} if i % 2 else {"custom_kernel": True}
        path.write_text(workload(f"svc-{i}", "docker" if i % 2 else "vm", **stated), encoding="utf-8")
        paths.append(str(path))
    result = check_files(paths, test_pack, Policy(), today=TODAY)
    assert isinstance(result.results, Verdicts)
    assert len({id(v) for _, _, _, v in result.entries()}) == 2
    assert [v.path for v in result.results] == sorted(paths)
    assert result.results[7].workload == "svc-7" and result.results[7].line == 2
    assert result.counts["pass"] == 60


def test_pieces_that_fail_leave_no_file(tmp_path):
    """When making the pieces fails half-way, nothing is written: the old file stays, no temporary file is left."""
    target = tmp_path / "out.json"
    target.write_text("old\n", encoding="utf-8")

    def pieces():
        yield "half"
        raise AdvisorError("stopped")

    with pytest.raises(AdvisorError):
        write_atomic(target, pieces())
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_pieces_are_written_whole(tmp_path):
    """Pieces are written one after another into the one file."""
    target = write_atomic(tmp_path / "out.txt", iter(["a", "b\n", "c\n"]))
    assert target.read_text(encoding="utf-8") == "ab\nc\n"


def _files(tmp_path, outcomes):
    """One workload file per outcome letter, in that order: A fires fast-start, B own-kernel, C nothing."""
    stated = {"A": ("docker", {"startup": "seconds"}), "B": ("vm", {"custom_kernel": True}), "C": ("docker", {})}
    paths = []
    for i, letter in enumerate(outcomes):
        path = tmp_path / f"w{i:02d}.workload.yaml"
        declared, requirements = stated[letter]
        path.write_text(workload(f"svc-{i}", declared, **requirements), encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def judged(monkeypatch):
    """The declared option of each workload the check works out (rather than takes from its recent outcomes)."""
    from advisor import check

    calls = []
    real = check.judge

    def counting(declared, *rest):
        calls.append(declared)
        return real(declared, *rest)

    monkeypatch.setattr(check, "judge", counting)
    return calls


def test_files_of_one_outcome_are_worked_out_once(tmp_path, test_pack, judged):  # noqa: F811
    """Twelve files of two outcomes (fired rules, declared option, waivers) are judged twice, not twelve times."""
    result = check_files(_files(tmp_path, "AB" * 6), test_pack, Policy(), today=TODAY)
    assert judged == ["docker", "vm"]
    assert result.counts["pass"] == 12


def test_the_recent_outcomes_kept_are_the_latest_ones(tmp_path, test_pack, judged, monkeypatch):  # noqa: F811
    """With two outcomes kept, A B A C C is worked out for A, B and C only: A is still kept when seen again,
    the oldest (A) gives way to C, and C then stays."""
    monkeypatch.setattr("advisor.check.RECENT_KEPT", 2)
    check_files(_files(tmp_path, "ABACC"), test_pack, Policy(), today=TODAY)
    assert judged == ["docker", "vm", "docker"]


def test_files_whose_waivers_change_nothing_share_the_verdict_of_files_without(tmp_path, test_pack):  # noqa: F811
    """A waiver naming svc-0 for an option it does not declare leaves its verdict alike to svc-1's: one is kept."""
    policy = Policy(waivers=[{"workload": "svc-0", "option": "vm", "reason": "measured"}])
    result = check_files(_files(tmp_path, "AA"), test_pack, policy, today=TODAY)
    assert len({id(v) for _, _, _, v in result.entries()}) == 1
    assert [(v.workload, v.verdict, v.waivers) for v in result.results] == [
        ("svc-0", "pass", []), ("svc-1", "pass", []),
    ]
