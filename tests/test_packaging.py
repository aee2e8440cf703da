"""The package installs from a clean clone and works outside the source tree."""

from __future__ import annotations

import json
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


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    """The README's way without make: the built wheel ``pip install``-ed into a fresh virtual
    environment outside the tree, its dependencies resolved by pip as a user's would be."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("需要 git 仓库才能从干净克隆构建 wheel")
    work = tmp_path_factory.mktemp("wheel")
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(clone)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("flowscore-*.whl")
    env = work / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    bindir = env / ("Scripts" if os.name == "nt" else "bin")
    r = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return bindir


def test_the_built_wheel_runs_a_real_compute_in_a_fresh_environment(wheel_env, tmp_path):
    """The installed console script, from a folder that is not the source tree: version,
    a template, and the whole compute of the sample year with every output."""
    flowscore = str(wheel_env / "flowscore")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [flowscore, *args], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )

    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("flowscore "), r.stderr
    r = run("template", "--unit", "月湖街道")
    assert r.returncode == 0 and (tmp_path / "附件1-月湖街道.xlsx").is_file(), r.stderr
    sample = tmp_path / "材料"
    shutil.copytree(ROOT / "sample_data" / "haishu-2019", sample)
    r = run("compute", str(sample), "--out", str(tmp_path / "结果"))
    assert r.returncode == 0, r.stderr
    assert "读取文件 29 个；单位 26 个：已定 25、暂定 1、未报送 0" in r.stdout
    out = tmp_path / "结果"
    assert len(list((out / "反馈单").glob("*.docx"))) == 26
    assert (out / "考核汇总.xlsx").is_file() and (out / "考核结果通报（草稿）.docx").is_file()
    golden = json.loads((ROOT / "tests" / "golden" / "haishu-2019.json").read_text("utf-8"))
    got = json.loads((out / "results.json").read_text(encoding="utf-8"))
    scores = {u["unit"]: f"{u['total']:.2f}" for u in got["units"]}
    assert scores == {name: u["total"] for name, u in golden["units"].items()}
    r = run("rank", str(out))
    assert r.returncode == 0 and "月湖街道" in r.stdout


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'flowscore = "flowscore.entry:main"' in text


def _first_screen() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[: text.index("\n---\n")]


def test_readme_first_screen_gives_two_commands_then_how_to_run_flowscore():
    import re

    screen = _first_screen()
    blocks = re.findall(r"```(\w+)\n(.*?)```", screen, re.S)
    setup = [line.split("#")[0].strip() for line in blocks[0][1].splitlines()]
    assert setup == ["make demo", "make test"]
    linux = blocks[1][1].split("#")[0].strip()
    assert linux == ".venv/bin/flowscore compute sample_data/haishu-2019"
    windows = [line.strip() for line in blocks[2][1].splitlines()]
    assert blocks[2][0] == "bat" and windows == [
        "py -m venv .venv",
        r".venv\Scripts\pip install .",
        r".venv\Scripts\flowscore.exe compute sample_data\haishu-2019",
    ]
    assert "make" not in blocks[2][1] and "pipx install ." in screen


def test_readme_next_command_works_as_printed(tmp_path):
    """The command after ``make demo``, from a folder laid out as the clone is: the program
    ``make`` installed (here the test's own interpreter), the sample folder, no output yet."""
    linux = _first_screen().split("```sh\n")[2].split("#")[0].split()
    assert linux[0] == ".venv/bin/flowscore"
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    r = subprocess.run(
        [sys.executable, "-m", "flowscore", *linux[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "flowscore-output" / "考核汇总.xlsx").is_file()
    assert "结果已写入 flowscore-output" in r.stdout
