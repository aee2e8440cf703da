"""The catalog is the one definition of every problem kind: every code the code reports is in
it, each kind says in Chinese what it is and what to do, and the README's tables are the
catalog's own (``scripts/make_readme_tables.py``)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

from flowscore.catalog import CATALOG, GROUPS, finding
from flowscore.findings import Level

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
# the calls that make findings, refusals and rubric problems, with their code first
_CALL = re.compile(
    r"""(?:finding|refuse|refusal|\.report|self\.error|self\.warn|ctx\.error|x\.find|add)\(\s*"([a-z][a-z0-9-]+)\"""",
)


def test_every_code_the_code_reports_is_in_the_catalog():
    used = set()
    for path in (ROOT / "flowscore").rglob("*.py"):
        used |= set(_CALL.findall(path.read_text("utf-8")))
    assert used, "the pattern finds the calls"
    assert sorted(used - set(CATALOG)) == []


def test_every_kind_speaks_chinese():
    for code, k in CATALOG.items():
        assert k.group in GROUPS, code
        for text in (k.name, k.meaning, k.action):
            assert CJK.search(text), (code, text)
        assert k.messages, code
        assert isinstance(k.level, Level)


def test_a_finding_is_worded_from_its_kind():
    f = finding("duplicate-column", file="a.xlsx", sheet="指标", cell="C1", name="持证数")
    assert (f.code, f.level, f.file, f.cell) == ("duplicate-column", Level.ERROR, "a.xlsx", "C1")
    assert f.message == "指标“持证数”有两列，以第一列为准"
    assert f.hint == CATALOG["duplicate-column"].action
    archive = finding("not-spreadsheet", "archive", file="x.zip")
    assert archive.level is Level.WARNING  # a variant of another level


def test_readme_tables_are_the_catalogs():
    tables = runpy.run_path(str(ROOT / "scripts" / "make_readme_tables.py"))
    text = (ROOT / "README.md").read_text("utf-8")
    assert tables["render"](text) == text, "run scripts/make_readme_tables.py"
    for group in GROUPS:
        assert f"<!-- catalog:{group} -->" in text


def test_readme_code_map_lists_every_module():
    text = (ROOT / "README.md").read_text("utf-8")
    block = text[text.index("<!-- modules -->") : text.index("<!-- /modules -->")]
    named = set(re.findall(r"`([\w/]+\.py)`", block))
    folders = set(re.findall(r"`([\w/]+/)`", block))
    for path in sorted((ROOT / "flowscore").rglob("*.py")):
        rel = path.relative_to(ROOT / "flowscore").as_posix()
        short = rel.rsplit("/", 1)[-1]
        assert (
            rel in named or any(rel.startswith(f) and short in named for f in folders)
        ) or short in named, f"README 代码结构 lacks {rel}"
