"""Command-line values converted without pydantic (``cli_params``) give what Typer's own
(pydantic) conversion gives, for every parameter of every command, and a start does not import
pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._click.exceptions import BadParameter

from flowscore.cli import app
from flowscore.cli import typer_zh as cli_params
from flowscore.cli import typer_zh as cli_zh

SAMPLES = {
    int: ["5", "0", "-1", "99", "100", "250000", "abc", "5.5", " 7 ", 3],
    float: ["1", "0.5", "256", "abc", "", "1e3", 256],
    str: ["haishu-2019", "月湖街道", ""],
    Path: ["out", "some/folder", Path("x")],
    bool: [True, False],
}


def _commands(group=None, prefix=()):
    group = group or typer.main.get_command(app)
    for name, cmd in sorted(getattr(group, "commands", {}).items()):
        yield (*prefix, name), cmd
        yield from _commands(cmd, (*prefix, name))


def _params():
    out = []
    for path, cmd in _commands():
        for param in cmd.params:
            desc = getattr(param, "type_descriptor", None)
            if desc is not None:
                out.append(pytest.param(param, desc, id=f"{' '.join(path)}:{param.name}"))
    return out


def _outcome(runtime, value, param):
    try:
        return ("ok", runtime.coerce(value, param=param, ctx=None))
    except BadParameter as exc:
        return ("error", cli_zh._value(exc.message))


@pytest.mark.parametrize(("param", "desc"), _params())
def test_same_values_and_messages_as_typer(param, desc):
    ours = cli_params.plain_param(desc)
    theirs = cli_params._typer_builder(desc)
    assert isinstance(ours, cli_params.PlainParam)  # every flowscore option is a simple one
    leaf, many = cli_params._shape(desc.annotation)
    values = [tuple(SAMPLES[leaf][:2])] if many else SAMPLES[leaf]
    for value in values:
        if param.multiple:
            value = value if isinstance(value, tuple) else (value,)
        assert _outcome(ours, value, param) == _outcome(theirs, value, param), value


def test_other_annotations_are_left_to_typer():
    from datetime import datetime
    from enum import Enum

    from typer._coercion import resolve_type_descriptor
    from typer.models import OptionInfo

    class Colour(Enum):
        RED = "red"

    for annotation in (datetime, Colour, tuple[int, int], int | str):
        desc = resolve_type_descriptor(annotation, OptionInfo())
        assert not isinstance(cli_params.plain_param(desc), cli_params.PlainParam)
    checked_path = resolve_type_descriptor(Path, OptionInfo(exists=True))
    assert not isinstance(cli_params.plain_param(checked_path), cli_params.PlainParam)


def _start_in_a_child(tmp_path: Path, argv: list[str], then: str) -> subprocess.CompletedProcess:
    """``flowscore *argv`` run in a fresh interpreter (its exit caught), then ``then``'s lines,
    which print what the test looks at last."""
    code = (
        "import sys\n"
        f"sys.argv = ['flowscore', *{argv!r}]\n"
        "from flowscore.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n" + then
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )


def test_a_start_does_not_import_pydantic(tmp_path):
    argv = ["compute", "no-such-folder", "--jobs", "2", "--max-size", "9"]
    r = _start_in_a_child(tmp_path, argv, "print('pydantic' in sys.modules)\n")
    assert r.stdout.strip().splitlines()[-1] == "False", r.stdout + r.stderr
    assert "找不到文件夹 no-such-folder" in r.stdout + r.stderr


@pytest.mark.parametrize("args", [["--help"], ["rank", "RESULTS"]])
def test_help_and_rank_start_without_the_rubric_model_or_the_writers(tmp_path, args):
    """What they never use is not imported (start-up time, issue 17): the rubric loader and
    model with its rule kinds, the writers, openpyxl, pandas, python-docx."""
    results = Path(__file__).resolve().parent.parent / "sample_data" / "haishu-2018-results"
    argv = [str(results / "results.json") if a == "RESULTS" else a for a in args]
    then = (
        "heavy = ['flowscore.rubric.model', 'flowscore.rubric.load', 'flowscore.rules',\n"
        "         'flowscore.writers', 'openpyxl', 'pandas', 'docx', 'jinja2']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    r = _start_in_a_child(tmp_path, argv, then)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr


@pytest.mark.parametrize("args", [["--help"], ["compute", "--bogus"]])
def test_help_and_error_panels_leave_markdown_and_tracebacks_unimported(tmp_path, args):
    """Typer's help and error panels import rich's Markdown and Traceback only as stand-ins
    (start-up time, issue 17); a later import of either module gets the real one, and the
    stand-in becomes the real class when used."""
    then = (
        "print(sorted(m for m in ('rich.markdown', 'rich.traceback', 'markdown_it')"
        " if m in sys.modules))\n"
        "from typer import rich_utils\n"
        "import rich.markdown, rich.traceback\n"
        "print(type(rich_utils.Markdown('x')) is rich.markdown.Markdown,"
        " rich.traceback.Traceback.__module__, rich_utils.Traceback.from_exception"
        " == rich.traceback.Traceback.from_exception)\n"
    )
    r = _start_in_a_child(tmp_path, args, then)
    assert r.stdout.strip().splitlines()[-2:] == ["[]", "True rich.traceback True"], (
        r.stdout + r.stderr
    )
