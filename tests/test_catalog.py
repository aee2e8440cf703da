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


def test_a_word_variant_is_its_own_pattern_else_its_familys_else_its_situations():
    """Checks shared by workbooks and Word files word a Word file's refusal for Word."""
    from flowscore.inputs.safety.outcome import refusal

    bomb = refusal("file-unsafe", "ratio", part="word/document.xml", packed="1 KB", size="3 GB")
    word = bomb.reworded("word")
    assert (word.code, word.message, word.variant) == (bomb.code, bomb.message, "word:ratio")
    assert "Word" in word.hint and ".xlsx" not in word.hint and ".xlsx" in bomb.hint
    assert word.reworded("word") is word  # worded once
    parts = refusal("file-unsafe", "parts", count=20_000).reworded("word")
    assert "正常的 Word 文档" in parts.message  # its own pattern
    zipped = refusal("file-encrypted", "zip").reworded("word")
    assert zipped.message == "文件被压缩软件加密，无法读取"  # the situation's message
    assert zipped.hint == "请提交未加密的 .docx 文件"  # its own hint, before the family's
    big = refusal("file-too-large", "inflated", size="3 GB", limit="256 MB", suggest=3073)
    assert big.reworded("word").hint == big.hint  # no Word hint: the situation's
    assert finding("not-spreadsheet", "word:archive").level is Level.WARNING
