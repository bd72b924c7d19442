"""The wheel: a non-editable install finds its rules and templates from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    if shutil.which("uv") is None and subprocess.run([sys.executable, "-m", "pip", "--version"]).returncode:
        pytest.skip("pip is not available to build a wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("advisor-*.whl"))


def test_the_wheel_ships_rules_and_templates(wheel):
    """Rule packs and report templates are inside the wheel, under the package."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "advisor/_data/rules/docker-vs-vm.yaml" in names
    assert any(n.startswith("advisor/_data/templates/") and n.endswith(".j2") for n in names)


def test_the_wheel_ships_the_source_document(wheel):
    """The wheel carries the default pack's source document beside the pack, as the pack names it."""
    assert "advisor/_data/rules/sources/docker-vs-vm.ru.txt" in zipfile.ZipFile(wheel).namelist()


def test_an_installed_wheel_decides_from_another_folder(wheel, tmp_path):
    """A fresh venv with the wheel installed runs `advisor decide` outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from this environment; advisor itself only from the wheel.
    # (A path in a .pth file is added to sys.path without running the .pth files there,
    # so an editable install of the checkout stays out of sight.)
    deps = [p for p in sys.path if p.endswith("site-packages")]
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "test-deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    workload = tmp_path / "w.yaml"
    shutil.copy(EXAMPLES / "kernel-module-ci.yaml", workload)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(venv / "bin" / "advisor"), "decide", str(workload)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "kernel-module-ci" in result.stdout
    where = subprocess.run(
        [str(python), "-c", "import advisor.resources as r; print(r.default_pack_path())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout
    assert str(venv) in where
