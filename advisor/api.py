"""The library's front door: load, decide and describe, as the commands do."""

from __future__ import annotations

from pathlib import Path

from .dates import report_date, source_date_epoch, today
from .errors import InputError
from .rulepack import RulePack, load_rules


def decide(
    workload_path: str | Path, pack: RulePack | None = None, *, counterfactuals: bool = True, lang: str = "en"
):
    """Load a workload file and decide it (with the default pack unless one is given), worded in ``lang``."""
    from .decision import decide as decide_workload
    from .workload import load_workload

    pack = pack or load_rules()
    workload = load_workload(workload_path, pack.options)
    return decide_workload(workload, pack, counterfactuals=counterfactuals, lang=lang)


def what_if(workload_path: str | Path, pack: RulePack | None, changes, *, lang: str = "en"):
    """Load a workload file and compare its decision with the decision for the changes ``field=value``."""
    from .compare import compare
    from .workload import load_workload

    pack = pack or load_rules()
    return compare(load_workload(workload_path, pack.options), pack, changes, lang=lang)


def repository_root(cwd: Path | None = None) -> Path:
    """The root of the repository holding ``cwd`` (the folder with ``.git``), else ``cwd`` itself."""
    from .discovery import folders_upwards

    cwd = (cwd or Path.cwd()).resolve()
    top = folders_upwards(cwd)[-1]
    return top if (top / ".git").exists() else cwd


def source_document(pack: RulePack) -> Path:
    """The file of the pack's source document (``source.document``, relative to the pack's
    file and inside its folder), checked to exist."""
    named = pack.source.get("document") or ""
    if not named:
        raise InputError("the rule pack names no source document", path=str(pack.path), field="source.document")
    folder = Path(pack.path).resolve().parent
    path = (folder / named).resolve()
    if not path.is_relative_to(folder):
        raise InputError(f"'{named}' is outside the rule pack's folder", path=str(pack.path), field="source.document")
    if not path.is_file():
        raise InputError(f"'{named}': no such file beside the rule pack", path=str(pack.path), field="source.document")
    return path


__all__ = ["decide", "load_rules", "report_date", "source_date_epoch", "today", "what_if"]
