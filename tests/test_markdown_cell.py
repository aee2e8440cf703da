"""md_cell escapes exactly what would be markup: rendered by a CommonMark parser with GFM
tables and strikethrough (markdown-it-py, which rich already brings), every cell reads back as
the text that went in, and text without markup carries no backslashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from flowscore.writers.safe import clean_text, md_cell

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered(cell: str) -> tuple[str, set[str]]:
    """The text of a one-cell table's body cell, and the kinds of inline token in it."""
    tokens = PARSER.parse(f"| 表头 |\n|---|\n| {cell} |\n")
    inline = [t for t in tokens if t.type == "inline"][-1]
    kinds = {c.type for c in inline.children or []}
    return "".join(c.content for c in inline.children or []), kinds


def heading(text: str) -> str:
    inline = PARSER.parse(f"# {text}\n")[1]
    return "".join(c.content for c in inline.children or [])


MARKUP = "|`*_~<>[]()!#&;\\/: a1月"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(MARKUP), max_size=12) | st.text(max_size=20))
def test_every_cell_reads_back_as_typed(text: str) -> None:
    expected = " ".join(clean_text(text).split())
    cell = md_cell(text)
    got, kinds = rendered(cell)
    assert kinds <= {"text"}, (text, cell, kinds)
    assert " ".join(got.split()) == expected, (text, cell)


def test_plain_text_is_left_as_typed() -> None:
    for text in [
        "sample_data/haishu-2019",
        "考核(2019)",
        "a_b_c",
        "100%",
        "第1名",
        "C:\\材料\\2019",
    ]:
        assert md_cell(text) == text


def test_markup_is_escaped() -> None:
    assert md_cell("a|b\nc") == r"a\|b c"
    assert md_cell("**粗体**") == r"\*\*粗体\*\*"
    assert md_cell("[链接](http://x)") == r"[链接\](http://x)"
    assert md_cell("<b>单位</b>") == r"\<b>单位\</b>"
    assert md_cell("_强调_") == r"\_强调\_"
    assert md_cell("&copy;") == r"\&copy;"


def test_a_title_keeps_its_trailing_hashes() -> None:
    assert heading(md_cell("考核 #")) == "考核 #"
    assert rendered(md_cell("考核 ##"))[0] == "考核 ##"
