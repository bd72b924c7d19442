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
