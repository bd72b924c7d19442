"""Architecture Decision Records: where they live, how they are named and numbered, and writing one.

A record is rendered from a decision by one of the ``adr`` formats of the renderer
registry (MADR 4.0 or Nygard's adr-tools format) or by a user's template. Writing it
never overwrites anything: the file is linked into place whole, under a lock on the
folder, and a taken number is retried with the next one. Marking an older record
superseded is :mod:`advisor.adr_supersede`'s job.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .adr_supersede import check_supersedable, link_to, supersede
from .discovery import folders_upwards
from .errors import InputError, OutputError, TemplateError
from .files import AlreadyExists, display_path, make_folders, remove_folders, write_atomic
from .record import Draft
from .yamlfile import read_text

if TYPE_CHECKING:
    from .decision_model import Decision
    from .rulepack import RulePack

TEMPLATES = ("madr", "nygard")
STATUSES = ("proposed", "accepted")
DEFAULT_FOLDER = Path("doc/adr")
# Folders teams already keep records in, in the order they are looked for at each level.
KNOWN_FOLDERS = (Path("doc/adr"), Path("docs/decisions"))
SLUG_MAX = 60

_RECORD = re.compile(r"(\d+)-[^/]*\.md")
_NYGARD_TITLE = re.compile(r"# \d+\. ")
# Latin spellings of Cyrillic letters, so a Russian title still names its file readably.
_CYRILLIC = {
    letter: latin.strip("-")
    for letter, latin in zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g u".split(),
        strict=True,
    )
}


@dataclass(frozen=True)
class Record:
    """An ADR file already in the folder."""

    number: int
    path: Path


@dataclass(frozen=True)
class Written:
    """What ``write_adr`` did: the record's text, and its path unless it was only printed."""

    text: str
    path: Path | None


# --- folder -----------------------------------------------------------------------------


def find_folder(explicit: str | Path | None = None, start: Path | None = None) -> Path:
    """The folder the records go in.

    ``explicit`` (``--dir``) wins. Otherwise, walking up from ``start`` as adr-tools
    does (but not beyond the repository's root, the folder holding ``.git``), the
    nearest level that has a ``.adr-dir`` file (naming the folder relative to itself),
    a ``doc/adr`` or a ``docs/decisions`` folder decides; else ``doc/adr`` under
    ``start``, to be created. A folder found so, its links resolved, must lie inside the
    repository (or, with no ``.git`` above, inside the level that named it): a cloned
    repository cannot send records anywhere else; only ``--dir`` can.
    """
    start = (start or Path.cwd()).resolve()
    if explicit is not None:
        folder = Path(explicit)
        folder = folder if folder.is_absolute() else start / folder
        _check_folder(folder, str(explicit))
        return folder
    levels = folders_upwards(start)
    root = levels[-1] if (levels[-1] / ".git").exists() else None
    for level in levels:
        marker = level / ".adr-dir"
        if marker.is_file():
            named = read_text(marker, InputError)[0].strip()
            if not named or "\n" in named or "\0" in named:
                raise InputError("should hold one folder name", path=str(marker))
            return _inside(level / named, root or level, str(marker))
        for known in KNOWN_FOLDERS:
            if (level / known).is_dir():
                return _inside(level / known, root or level, str(level / known))
    return _inside(start / DEFAULT_FOLDER, root or start, str(start / DEFAULT_FOLDER))


def _inside(folder: Path, root: Path, named_by: str) -> Path:
    """``folder``, checked to be a folder (or absent) that is inside ``root`` once links are resolved."""
    resolved = folder.resolve()
    if not resolved.is_relative_to(root):
        raise OutputError(
            f"names {resolved}, outside the repository {root}; give --dir to write records there", path=named_by
        )
    _check_folder(folder, named_by)
    return folder


def _check_folder(folder: Path, named_by: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder of records", path=named_by)


def records(folder: Path) -> list[Record]:
    """The records in a folder (files named ``NNNN-something.md``), by number then name."""
    if not folder.is_dir():
        return []
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            match = _RECORD.fullmatch(entry.name)
            if match and entry.is_file():
                found.append(Record(int(match.group(1)), Path(entry.path)))
    return sorted(found, key=lambda r: (r.number, r.path.name))


def next_number(folder: Path) -> int:
    """One above the highest record number in the folder (gaps are left alone)."""
    return max((r.number for r in records(folder)), default=0) + 1


def folder_format(folder: Path, start: Path | None = None) -> str:
    """The format new records take by default: adr-tools' (``nygard``) in an adr-tools
    folder, else ``madr``.

    A folder is adr-tools' when a ``.adr-dir`` (which only adr-tools writes) names it, from
    ``start`` or a folder above it, or when its first record is in adr-tools' format (as
    ``adr init`` writes it). The first record, not the newest, so that one record written
    in another format does not switch the folder's format for every later one.
    """
    if _named_by_adr_dir(folder, (start or Path.cwd()).resolve()):
        return "nygard"
    existing = records(folder)
    if existing:
        try:
            with open(existing[0].path, encoding="utf-8", errors="replace") as fh:
                first = fh.readline(200)  # bounded: a record may be one huge line
        except OSError:  # unreadable: the default format will do
            first = ""
        if _NYGARD_TITLE.match(first):
            return "nygard"
    return "madr"


def _named_by_adr_dir(folder: Path, start: Path) -> bool:
    for level in folders_upwards(start):
        marker = level / ".adr-dir"
        if marker.is_file():
            named = read_text(marker, InputError)[0].strip()
            return bool(named) and (level / named).resolve() == folder.resolve()
    return False


# --- names --------------------------------------------------------------------------------


def clean_title(title: str) -> str:
    """A title on one line: control characters and runs of white space become one space."""
    chars = [" " if unicodedata.category(c).startswith(("C", "Z")) else c for c in title]
    return re.sub(r" +", " ", "".join(chars)).strip()


def slugify(title: str) -> str:
    """A safe file-name part for a title: lower-case ASCII letters, digits and hyphens, at most 60 long.

    Cyrillic is transliterated and accents dropped; whatever else is not ASCII is left
    out. A title with nothing left gives ``decision``.
    """
    text = "".join(_CYRILLIC.get(c, c) for c in title.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[: SLUG_MAX + 1]
        # end on a whole word when one ends reasonably late
        slug = cut[: cut.rfind("-")] if cut.rfind("-") > SLUG_MAX // 2 else slug[:SLUG_MAX]
        slug = slug.strip("-")
    return slug or "decision"


def default_title(decision: Decision, option_title: str | None = None) -> str:
    """"Run <workload> on <option>" when an option is recommended, else what is left to choose.

    ``option_title`` is the recommended option's English title, for a decision worded in
    another language: the title of a record, and the file name made from it, are English.
    """
    if decision.recommendation:
        return f"Run {decision.workload} on {option_title or decision.option(decision.recommendation).title}"
    return f"Choose the platform of {decision.workload}"


# --- writing ----------------------------------------------------------------------------------


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder, so two advisors never pick the same number."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): exclusive creation alone still prevents overwrites
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks: exclusive creation still applies
            pass
        yield
    finally:
        os.close(fd)  # closing releases the lock


def publish(
    folder: Path,
    slug: str,
    text_for: Callable[[int, str], str],
    after: Callable[[Path], None] | None = None,
    attempts: int = 1000,
) -> Path:
    """Write the next record ``NNNN-slug.md`` in ``folder`` (which must exist) and return its path.

    ``text_for(number, file_name)`` renders the record. Under a lock on the folder the
    next number is taken; a file that exists anyway (written by another tool) is never
    overwritten: the next number is tried. ``after(path)`` runs under the same lock (to
    supersede an older record); if it fails, the new record is removed.
    """
    with _locked(folder):
        number = next_number(folder)
        for _ in range(attempts):
            name = f"{number:04d}-{slug}.md"
            path = folder / name
            # a folder or a dangling link of that name takes it too
            if os.path.lexists(path) or not _create(path, text_for(number, name)):
                number = max(number + 1, next_number(folder))
                continue
            if after is not None:
                try:
                    after(path)
                except BaseException:
                    path.unlink()
                    raise
            return path
    raise OutputError(f"no free record number after {attempts} tries", path=str(folder))


def _create(path: Path, text: str) -> bool:
    """Create ``path`` holding ``text``; False when it exists (it is then left as it was)."""
    try:
        write_atomic(path, text, overwrite=False)
    except AlreadyExists:
        return False
    return True


def find_record(folder: Path, number: int) -> Record:
    """The record numbered ``number`` in the folder; an InputError when there is none (or several)."""
    found = [r for r in records(folder) if r.number == number]
    if not found:
        raise InputError(f"there is no ADR {number} in {folder}", field="--supersedes")
    if len(found) > 1:
        names = ", ".join(r.path.name for r in found)
        raise InputError(f"several ADRs are numbered {number} in {folder}: {names}", field="--supersedes")
    return found[0]


# --- the whole command ------------------------------------------------------------------------


def _heading(title: str | None, decision: Decision, pack: RulePack) -> str:
    """The record's title: the one given, else "Run <workload> on <chosen option>" in English
    (a record's title and file name stay English in every language)."""
    english = str(pack.options[decision.recommendation].title) if decision.recommendation else None
    heading = clean_title(title if title is not None else default_title(decision, english))
    if not heading:
        raise InputError("the title is empty", field="--title")
    return heading


def write_adr(
    workload_path: str,
    *,
    pack: RulePack | None = None,
    folder: str | Path | None = None,
    template: str | None = None,
    status: str = "proposed",
    supersedes: int | None = None,
    title: str | None = None,
    to_stdout: bool = False,
    start: Path | None = None,
    lang: str = "en",
    rules_path: str | None = None,
) -> Written:
    """Decide a workload and write the next ADR for it (or only render it, with ``to_stdout``).

    ``template`` is ``madr``, ``nygard``, a path to a user's Jinja template, or None for
    the folder's format (``nygard`` where its records are adr-tools', else ``madr``).
    Everything is checked before anything is written; on any error nothing is.
    ``rules_path`` is the ``--rules`` the pack came from, repeated in the record's check command.
    """
    from . import formats
    from .adr_check import for_record
    from .dates import today
    from .decision import decide
    from .rulepack import load_rules
    from .workload import load_workload

    if status not in STATUSES:
        raise InputError(f"'{status}' is not a status; choose one of {', '.join(STATUSES)}", field="--status")
    start = (start or Path.cwd()).resolve()
    pack = pack or load_rules()
    decision = decide(load_workload(workload_path, pack.options), pack, lang=lang)
    target = find_folder(folder, start)
    fmt, user_template = _template(template, target, start)
    old = find_record(target, supersedes) if supersedes is not None else None
    if old:  # fail before writing anything if the old record cannot be marked
        check_supersedable(old.path)
    heading = _heading(title, decision, pack)
    slug = slugify(heading)
    back = link_to(old.number, old.path) if old else None
    date = today().isoformat()
    shown = None if workload_path == "-" else display_path(workload_path, start)
    options = formats.RenderOptions(date=date, template=user_template, lang=lang)
    command, outlook = for_record(workload_path, shown, rules_path, start)

    rendered: dict[str, str] = {}

    def text_for(number: int, name: str) -> str:
        draft = Draft(decision, number, heading, status, date, name, shown, back, command, outlook)
        rendered[name] = formats.render("adr", fmt, draft, options)
        return rendered[name]

    first = next_number(target)
    text = text_for(first, f"{first:04d}-{slug}.md")  # template errors surface before anything is written
    if to_stdout:
        return Written(text, None)

    path = _write(target, slug, text_for, old)
    return Written(rendered[path.name], path)


def _write(target: Path, slug: str, text_for: Callable[[int, str], str], old: Record | None) -> Path:
    """Publish the record in ``target`` (made if need be), marking ``old`` superseded; on a
    failure the folders made for it are removed."""

    def supersede_old(path: Path) -> None:
        supersede(old.path, link_to(int(path.name.split("-", 1)[0]), path))

    created = make_folders(target)
    try:
        return publish(target, slug, text_for, supersede_old if old else None)
    except OSError as exc:
        remove_folders(created)
        raise OutputError(f"cannot write a record: {exc.strerror or exc}", path=str(target)) from None
    except BaseException:
        remove_folders(created)
        raise


def _template(template: str | None, folder: Path, start: Path) -> tuple[str, str | None]:
    """The registered ``adr`` format to use, and the user's template file if one is given."""
    if template is None:
        return folder_format(folder, start), None
    if template in TEMPLATES:
        return template, None
    if not Path(template).is_file():
        raise TemplateError(f"is neither a template file nor one of {', '.join(TEMPLATES)}", path=template)
    return "madr", template
