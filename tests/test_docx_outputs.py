"""The Word outputs without LibreOffice: the circular (考核结果通报（草稿）.docx) and the units'
feedback sheets, read back with python-docx and as XML — page, fonts (East Asian included),
repeated header rows, the footer's PAGE field, every unit and number present, no operator
wording for the units, byte-identical reruns and no half-written file."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import time
import zipfile
from pathlib import Path

import pytest
from batches import EVIL, INJECTED, make_batch
from docx import Document
from docx.oxml.ns import qn

from flowscore.numbers import fmt
from flowscore.results import BatchResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers import docx_common, feedback_docx, notice_docx
from flowscore.writers.docx_common import BODY, TITLE
from flowscore.writers.feedback_docx import (
    FEEDBACK_DIR,
    feedback_names,
    write_all_feedback,
    write_feedback,
)
from flowscore.writers.notice_docx import FILE_NAME, write_notice

ROOT = Path(__file__).resolve().parent.parent
STYLE = DocumentStyle()
DAY = dt.date(2020, 1, 15)


@pytest.fixture(scope="module")
def haishu(scored_sample) -> BatchResult:
    return scored_sample("haishu-2019")


@pytest.fixture(scope="module")
def beilun(scored_sample) -> BatchResult:
    return scored_sample("beilun")


@pytest.fixture(scope="module")
def notice(haishu, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("notice") / FILE_NAME
    write_notice(haishu, path, style=STYLE, date=DAY, year=2019)
    return path


def _text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    parts += [p.text for p in doc.sections[0].footer.paragraphs]
    return "\n".join(parts)


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# layout


def test_page_is_a4_with_the_gbt9704_type_area(notice):
    section = Document(notice).sections[0]
    measured = {
        "width": section.page_width.mm,
        "height": section.page_height.mm,
        "top": section.top_margin.mm,
        "bottom": section.bottom_margin.mm,
        "left": section.left_margin.mm,
        "right": section.right_margin.mm,
    }
    wanted = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}
    for key, mm in wanted.items():
        assert measured[key] == pytest.approx(mm, abs=0.05), key  # twips round to 0.02 mm
    assert STYLE.type_width_mm == 156 and STYLE.type_height_mm == 225


def _style_fonts(styles_xml: str, style_id: str) -> tuple[dict[str, str], str]:
    block = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles_xml, re.S)
    assert block, style_id
    fonts = re.search(r"<w:rFonts ([^>]*)/>", block.group(0))
    size = re.search(r'<w:sz w:val="(\d+)"/>', block.group(0))
    assert fonts and size
    attrs = dict(re.findall(r'w:(\w+)="([^"]*)"', fonts.group(1)))
    return attrs, size.group(1)


def test_title_and_body_fonts_east_asian_set(notice):
    styles = _xml(notice, "word/styles.xml")
    title, title_size = _style_fonts(styles, TITLE)
    body, body_size = _style_fonts(styles, BODY)
    assert title["eastAsia"] == "方正小标宋简体" and title_size == "44"  # half-points: 22 pt
    assert body["eastAsia"] == "仿宋_GB2312" and body_size == "32"  # 16 pt
    assert body["ascii"] == body["hAnsi"] == "Times New Roman"
    assert title["hint"] == body["hint"] == "eastAsia"  # “” and — in the Chinese face
    # Theme fonts would win over the named ones: none is left in the styles.
    assert "asciiTheme" not in styles and "eastAsiaTheme" not in styles
    assert 'w:eastAsia="zh-CN"' in styles  # the document's East Asian language
    # The paragraphs use those styles, not direct formatting.
    doc = Document(notice)
    assert doc.paragraphs[0].style.name == TITLE
    assert doc.paragraphs[0].text.startswith("关于2019年度海曙区流动人口服务管理")


def test_font_table_carries_the_fallback_chains(notice):
    fonts = _xml(notice, "word/fontTable.xml")
    for chain in (STYLE.title_fonts, STYLE.body_fonts):
        for name, nxt in itertools.pairwise(chain):
            entry = re.search(rf'<w:font w:name="{re.escape(name)}">(.*?)</w:font>', fonts, re.S)
            assert entry, name
            assert f'<w:altName w:val="{nxt}"/>' in entry.group(1)
            assert '<w:charset w:val="86"/>' in entry.group(1)  # GB2312: a Chinese substitute


def test_every_table_repeats_its_header_row(notice):
    doc = Document(notice)
    assert len(doc.tables) == 4 + 26  # four categories, then one per unit in the annex
    for table in doc.tables:
        rows = table._tbl.findall(qn("w:tr"))
        assert rows[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        for tr in rows[1:]:
            assert tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is None
        for tr in rows:
            assert tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None
    widths = [int(c.get(qn("w:w"))) for c in doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(widths) == pytest.approx(156 / 25.4 * 1440, abs=6)  # the type area's width


def test_footer_is_a_centred_page_field(notice):
    footer = _xml(notice, "word/footer1.xml")
    assert '<w:jc w:val="center"/>' in footer
    assert footer.count('w:fldCharType="begin"') == 1 and 'w:fldCharType="end"' in footer
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", footer))
    assert text == "— 1 —"  # "1" is the field's cached result; Word and WPS renumber each page
    assert 'w:eastAsia="宋体"' in footer
    sect = _xml(notice, "word/document.xml")
    assert re.search(r'<w:footerReference w:type="default" r:id="rId\d+"/>', sect)


# ---------------------------------------------------------------------------------------------
# content


def test_circular_has_every_unit_with_its_scores(haishu, notice):
    doc = Document(notice)
    ranked: dict[str, tuple[str, str, str]] = {}
    for table in doc.tables[:4]:
        header = [c.text for c in table.rows[0].cells]
        assert header == ["名次", "单位", "评价得分", "基本分", "折算得分", "状态"]
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            ranked[cells[1]] = (cells[2], cells[4], cells[5])
    assert set(ranked) == {u.unit for u in haishu.units}
    for u in haishu.units:
        status = {"final": "已定", "provisional": "暂定", "missing": "未报送"}[u.status]
        assert ranked[u.unit] == (fmt(u.total), fmt(u.contribution, 4), status)
    text = _text(notice)
    assert "白云街道（A类街道）：第6项“社会整合”尚待核定" in text
    assert "附件：各单位考核得分明细" in text and "考核单位（盖章）" in text
    assert "2020年1月15日" in text and "____" not in text
    # The annex: one table per unit, each item's 分值, 自评分, 核定分 and 来源.
    yuehu = next(t for t in doc.tables[4:] if t.rows[1].cells[1].text == "工作报备")
    assert [c.text for c in yuehu.rows[0].cells] == [
        "序号",
        "项目",
        "分值",
        "自评分",
        "核定分",
        "来源",
    ]
    assert sum(len(t.rows) - 1 for t in doc.tables[4:]) == sum(len(u.items) for u in haishu.units)


def test_circular_words_are_chinese(haishu, notice):
    # The only Latin letters are the rubric's own category names (A类街道, B类…, C类…).
    assert set(re.findall(r"[A-Za-z]+", _text(notice))) <= {"A", "B", "C"}
    assert "--" not in _text(notice)


def test_no_date_prints_a_blank_to_fill_in(haishu, tmp_path):
    path = tmp_path / FILE_NAME
    write_notice(haishu, path, style=STYLE, date=None, year=None)
    text = _text(path)
    assert "____年__月__日" in text
    assert not re.search(r"20\d\d年\d{1,2}月\d{1,2}日", text)  # no clock date anywhere


def test_style_changes_reach_the_document(haishu, tmp_path):
    style = DocumentStyle(
        body_fonts=("仿宋",),
        margin_top_mm=30,
        title_template="{scheme}情况通报",
        footer_template="第{page}页",
        seal_text="区流动人口服务管理领导小组办公室",
    )
    path = tmp_path / FILE_NAME
    write_notice(haishu, path, style=style, date=None, year=2019)
    doc = Document(path)
    assert doc.sections[0].top_margin.mm == pytest.approx(30, abs=0.05)
    assert doc.paragraphs[0].text.endswith("考核情况通报")
    assert _style_fonts(_xml(path, "word/styles.xml"), BODY)[0]["eastAsia"] == "仿宋"
    assert (
        "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", _xml(path, "word/footer1.xml")))
        == "第1页"
    )
    assert "区流动人口服务管理领导小组办公室" in _text(path)
    with pytest.raises(ValueError):
        DocumentStyle(footer_template="页码")


def test_feedback_sheet_content(tmp_path):
    batch = make_batch()
    unit = batch.unit("月湖街道")
    path = tmp_path / "月湖街道.docx"
    write_feedback(batch, unit, path, style=STYLE, date=DAY)
    text = _text(path)
    doc = Document(path)
    items = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号")
    assert [c.text for c in items.rows[0].cells] == [
        "序号",
        "考核项目",
        "分值",
        "自评分",
        "核定分",
        "差额",
        "来源",
    ]
    assert [c.text for c in items.rows[2].cells] == [
        "2",
        "新型居住证",
        "40",
        "38.00",
        "35.00",
        "-3.00",
        "计算",
    ]
    # Every item's explanation whole, line breaks kept.
    for it in unit.items:
        for line in it.explanation.splitlines():
            assert line in text
    assert "加分+5.00　创新工作：市级媒体报道。计入（同专题取最高）。" in text
    assert "加分+3.00　创新工作：区级简报刊登。不计入（同专题已计入更高分值）。" in text
    assert "减分-5.00　通报批评：被区委通报。计入。" in text
    assert "A类街道第1名／共2个" in text
    assert "自评分 45 高于分值 40，且未说明理由。" in text  # its finding, without file or cell
    assert "月湖街道.xlsx" not in text and "D6" not in text and "E201" not in text
    assert [p.text for p in doc.paragraphs][-2:] == ["考核单位（盖章）", "2020年1月15日"]


def test_feedback_names_no_program_option(haishu, tmp_path):
    """白云街道 is provisional: its pending finding's hint names ``--strict``; the unit's sheet
    must not, and says in its own words what is pending."""
    started = time.perf_counter()
    names = write_all_feedback(haishu, tmp_path, style=STYLE, date=None)
    per_unit = (time.perf_counter() - started) / len(haishu.units)
    assert per_unit < 0.25, f"{per_unit:.3f} s per unit"  # from a cached empty document
    assert len(names) == len(haishu.units)
    for path in names:
        text = _text(path)
        assert "--" not in text and "strict" not in text, path.name
        assert set(re.findall(r"[A-Za-z]+", text)) <= {"A", "B", "C"}, path.name
        assert "考核单位（盖章）" in text and "____年__月__日" in text
    text = _text(tmp_path / FEEDBACK_DIR / "白云街道.docx")
    assert "第6项“社会整合”尚未核定，得分和名次为暂定。" in text
    assert "尚有待核定项目，以上得分和名次为暂定。" in text


def test_feedback_category_subtotals(beilun, tmp_path):
    unit = beilun.unit("郭巨街道")
    path = tmp_path / "郭巨街道.docx"
    write_feedback(beilun, unit, path, style=STYLE, date=None)
    doc = Document(path)
    cats = next(t for t in doc.tables if t.rows[0].cells[0].text == "分类")
    rows = [[c.text for c in r.cells] for r in cats.rows[1:]]
    assert rows[0] == ["基础工作", "30", "22.00"]
    assert [r[0] for r in rows] == ["基础工作", "管理工作", "服务工作"]


def test_missing_unit_and_unsafe_names(tmp_path):
    batch = make_batch()
    written = write_all_feedback(batch, tmp_path, style=STYLE, date=None)
    folder = tmp_path / FEEDBACK_DIR
    assert {p.parent for p in written} == {folder}  # ../../evil stays inside
    assert sorted(p.name for p in written) == sorted(feedback_names(batch).values())
    missing = _text(folder / feedback_names(batch)["龙观乡"])
    assert "未收到该单位的评分表，不计得分、不参加排名。" in missing
    assert "评价得分" not in missing
    assert INJECTED in _text(folder / feedback_names(batch)[INJECTED])
    assert EVIL in _text(folder / feedback_names(batch)[EVIL])


def test_control_characters_never_reach_the_document(tmp_path):
    import dataclasses

    batch = make_batch()
    name = "月湖\x07街道\u202e"
    units = tuple(
        dataclasses.replace(u, unit=name) if u.unit == "月湖街道" else u for u in batch.units
    )
    dirty = dataclasses.replace(batch, units=units)
    write_notice(dirty, tmp_path / FILE_NAME, style=STYLE, date=None, year=None)
    write_feedback(dirty, dirty.unit(name), tmp_path / "f.docx", style=STYLE, date=None)
    for path in (tmp_path / FILE_NAME, tmp_path / "f.docx"):
        text = _text(path)
        assert "月湖街道" in text and "\x07" not in text and "\u202e" not in text


# ---------------------------------------------------------------------------------------------
# bytes


def test_rerun_is_byte_identical(haishu, tmp_path, monkeypatch):
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    write_notice(haishu, a, style=STYLE, date=DAY, year=2019)
    unit = haishu.unit("白云街道")
    write_feedback(haishu, unit, tmp_path / "fa.docx", style=STYLE, date=DAY)
    # A later clock: python-docx would stamp its zip entries with it.
    later = time.time() + 86400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    docx_common._base.cache_clear()
    write_notice(haishu, b, style=STYLE, date=DAY, year=2019)
    write_feedback(haishu, unit, tmp_path / "fb.docx", style=STYLE, date=DAY)
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "fa.docx").read_bytes() == (tmp_path / "fb.docx").read_bytes()
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
        core = z.read("docProps/core.xml").decode("utf-8")
        names = z.namelist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert "2000-01-01T00:00:00Z" in core and "python-docx" not in core
    assert "docProps/thumbnail.jpeg" not in names  # the template's empty-page preview


def test_failed_write_leaves_no_file(haishu, tmp_path, monkeypatch):
    target = tmp_path / FILE_NAME

    def half(self: Path, data: bytes) -> int:
        with open(self, "wb") as f:
            f.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half)
    with pytest.raises(OSError):
        write_notice(haishu, target, style=STYLE, date=None, year=None)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_documents_open_as_plain_zip_and_docx(notice):
    data = notice.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert Document(io.BytesIO(data)).core_properties.title.startswith("关于2019年度")
    assert feedback_docx.FEEDBACK_DIR == "反馈单" and notice_docx.FILE_NAME == FILE_NAME
