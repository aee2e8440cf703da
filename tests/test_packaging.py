"""The package installs from a clean clone and works outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip install .`` of a clean clone (committed files only) into a fresh target folder."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("需要 git 仓库才能测试从干净克隆安装")
    work = tmp_path_factory.mktemp("pkg")
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # The working tree may hold changes not yet committed: test what they would install.
    for rel in ("pyproject.toml", "flowscore", "templates"):
        src = ROOT / rel
        if src.is_dir():
            shutil.rmtree(clone / rel)
            shutil.copytree(src, clone / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, clone / rel)
    target = work / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _run(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, "-m", "flowscore", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_installed_package_carries_templates_and_rubrics(installed):
    assert (installed / "flowscore" / "_templates" / "unit_report.txt.j2").is_file()
    assert (installed / "flowscore" / "rubrics" / "haishu-2019.toml").is_file()


def test_installed_flowscore_works_outside_the_source_tree(installed, tmp_path):
    code = "import flowscore, sys; print(flowscore.__file__)"
    env = {**os.environ, "PYTHONPATH": str(installed)}
    where = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(installed))
    r = _run(installed, tmp_path, "template", "--unit", "月湖街道")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "附件1-月湖街道.xlsx").is_file()
    sample = tmp_path / "in"
    shutil.copytree(ROOT / "sample_data" / "haishu-2019", sample)
    r = _run(installed, tmp_path, "compute", str(sample), "--out", str(tmp_path / "out"), "-q")
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "out" / "反馈单").glob("*.docx"))) == 26
    assert (tmp_path / "out" / "考核结果通报（草稿）.docx").is_file()


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'flowscore = "flowscore.entry:main"' in text
