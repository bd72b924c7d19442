"""The start-up cache (compiled templates, loaded packs): an optimisation that never changes a result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import cache, packcache
from advisor.rulepack import RulePack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "payments-api.yaml"


def decide(cache_home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "ADVISOR_NO_CACHE"}
    environ.update(XDG_CACHE_HOME=str(cache_home), **env)
    command = [sys.executable, "-m", "advisor", "decide", str(EXAMPLE), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, cwd=ROOT)


def entries(cache_home: Path) -> list[Path]:
    return sorted(p for p in cache_home.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def uncached(tmp_path_factory) -> str:
    """The text view with the cache turned off."""
    done = decide(tmp_path_factory.mktemp("off"), ADVISOR_NO_CACHE="1")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_cold_and_a_warm_start_print_the_same(tmp_path, uncached):
    """The first start fills the cache with templates and the pack; the second reads them and prints the same."""
    first = decide(tmp_path)
    kinds = {p.parent.name for p in entries(tmp_path)}
    second = decide(tmp_path)
    assert (first.stdout, second.stdout) == (uncached, uncached)
    assert kinds == {"templates", "packs"}


def test_a_coloured_start_leaves_no_colour_for_a_plain_one(tmp_path, uncached):
    """Templates compiled for a coloured view (Jinja folds styled constants into escape codes)
    are never reused for a plain one, nor Russian ones for English."""
    coloured = decide(tmp_path, "--color")
    russian = decide(tmp_path, "--lang", "ru")
    plain = decide(tmp_path)
    assert coloured.returncode == russian.returncode == plain.returncode == 0, coloured.stderr
    assert "\x1b[" in coloured.stdout and "Контейнеры Docker" in russian.stdout
    assert plain.stdout == uncached and "\x1b[" not in plain.stdout


def test_advisor_no_cache_writes_nothing(tmp_path):
    """ADVISOR_NO_CACHE=1 leaves the cache folder untouched."""
    done = decide(tmp_path, ADVISOR_NO_CACHE="1")
    assert done.returncode == 0
    assert entries(tmp_path) == []


def test_a_corrupt_cache_is_passed_over_and_replaced(tmp_path, uncached):
    """Entries overwritten with garbage, emptied or cut short give the same output, no error, and are rewritten."""
    decide(tmp_path)
    found = entries(tmp_path)
    for index, path in enumerate(found):
        path.write_bytes([b"", b"\x00garbage\xff" * 40, path.read_bytes()[:-7]][index % 3])
    done = decide(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, uncached, "")
    assert decide(tmp_path).stdout == uncached
    assert all(path.read_bytes().startswith(cache.MAGIC) for path in entries(tmp_path))


def test_a_cache_folder_that_cannot_be_written_is_no_error(tmp_path, uncached):
    """A read-only cache folder, or a cache home that is a file, gives the same output and no message."""
    read_only = tmp_path / "ro"
    read_only.mkdir(mode=0o500)
    as_file = tmp_path / "file"
    as_file.write_text("not a folder\n")
    try:
        for home in (read_only, as_file):
            done = decide(home)
            assert (done.returncode, done.stdout, done.stderr) == (0, uncached, "")
    finally:
        read_only.chmod(0o700)


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    """A write that fails at the rename leaves neither the entry nor its temporary file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)

    def refuse(*args):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", refuse)
    cache.write("packs", "entry", {"a": 1})
    assert entries(tmp_path) == []


def test_an_entry_of_another_kind_is_not_a_pack(tmp_path, monkeypatch):
    """A readable entry holding something other than a RulePack is a miss."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    packcache.store("pack: x\n", "x.yaml", {"not": "a pack"})
    assert entries(tmp_path) != []
    assert packcache.stored("pack: x\n", "x.yaml", RulePack) is None


def test_an_edited_pack_is_validated_again(tmp_path):
    """A pack changed after it was cached is read afresh: the new weight shows, and a broken one is refused."""
    pack = tmp_path / "pack.yaml"
    text = (ROOT / "rules" / "docker-vs-vm.yaml").read_text(encoding="utf-8")
    pack.write_text(text, encoding="utf-8")
    home = tmp_path / "cache"
    before = decide(home, "--rules", str(pack), "-f", "json")  # fills the cache
    assert before.returncode == 0 and any(p.parent.name == "packs" for p in entries(home))
    pack.write_text(text.replace("effects: {docker: 3}", "effects: {docker: 13}", 1), encoding="utf-8")
    after = decide(home, "--rules", str(pack), "-f", "json")
    assert after.returncode == 0
    assert '"microservices"' in after.stdout and "+13" in decide(home, "--rules", str(pack)).stdout
    pack.write_text(text.replace("effects: {docker: 3}", "effects: {docker: many}", 1), encoding="utf-8")
    broken = decide(home, "--rules", str(pack))
    assert broken.returncode == 2 and "effect" in broken.stderr


def test_no_home_folder_means_no_cache(tmp_path, monkeypatch):
    """Without a home folder (and no XDG_CACHE_HOME) the cache is off, never relative to the working folder."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    monkeypatch.chdir(tmp_path)
    assert cache.folder("packs") is None
    cache.write("packs", "entry", 1)
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_others_may_write_to_is_not_used(tmp_path, uncached):
    """A cache folder writable by group or others is passed over: nothing is read from it or written to it."""
    (tmp_path / "advisor").mkdir()
    os.chmod(tmp_path / "advisor", 0o777)
    done = decide(tmp_path)
    assert done.returncode == 0 and done.stdout == uncached
    assert entries(tmp_path) == []
