"""The annex templates a clerk cannot break by accident, read back with openpyxl: sheet
protection on and without a password, exactly the cells to fill open (and highlighted where they
are the filler's task), the computed items' 核定分 locked and marked, the 填表人 line, validation
messages that fit the mistake, every word Chinese — for every built-in rubric, the unit's sheet
and a member department's inspection sheet. Then what the reader makes of them: the 填表人 line
changes no score and adds no finding, and sheets of the first template version, already handed
out, still score exactly as the sample year's golden results say."""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.cell.cell import MergedCell

from flowscore.rubric import load_rubric
from flowscore.template import (
    ANNEX_SHEET,
    SIGNOFF_LABELS,
    annex_filename,
    annex_layout,
    build_annex_workbook,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_golden import golden  # noqa: E402

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
GREY = "BFBFBF"
PALE = "FFF9E5"
# Excel's input message box is narrow: its title is one line (at most 32 characters) and sets
# the box's width, the message wraps below it. Short enough to be read whole at a glance.
TITLE_MAX = 16
PROMPT_MAX = 50
ERROR_MAX = 100
LATIN = re.compile(r"[A-Za-z]")


def _sheets() -> list[tuple[str, str, str | None]]:
    """(rubric, unit, assessor): one unit of each sheet of every built-in rubric (units of one
    sheet differ by their name only), and for the province one city's inspection sheet of each
    member department."""
    out: list[tuple[str, str, str | None]] = []
    for rubric in ("haishu-2019", "beilun-streets", "province-2013"):
        scheme, _ = load_rubric(rubric)
        first = {u.sheet: u.name for u in reversed(scheme.units)}
        out += [(rubric, first[s.id], None) for s in scheme.sheets if s.id in first]
        out += [(rubric, scheme.units[0].name, a) for a in scheme.assessors]
    return out


SHEETS = _sheets()


def _id(case: tuple[str, str, str | None]) -> str:
    rubric, unit, assessor = case
    return f"{rubric}-{unit}" + (f"-{assessor}" if assessor else "")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """``books[case]``: that sheet built, saved and read back, once per process (lazily: the
    tests of one case may run in different processes)."""
    tmp = tmp_path_factory.mktemp("protected")
    cache: dict[tuple[str, str, str | None], dict] = {}

    class Books:
        def __getitem__(self, case: tuple[str, str, str | None]) -> dict:
            if case not in cache:
                cache[case] = _build(tmp / f"{len(cache)}.xlsx", *case)
            return cache[case]

    return Books()


def _build(path: Path, rubric: str, unit: str, assessor: str | None) -> dict:
    scheme, _ = load_rubric(rubric)
    build_annex_workbook(scheme, unit, assessor=assessor).save(path)
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    return {
        "ws": openpyxl.load_workbook(path)[ANNEX_SHEET],
        "path": path,
        "scheme": scheme,
        "sheet": sheet,
        "layout": annex_layout(sheet),
        "assessor": assessor,
    }


def _open_cells(ws) -> set[str]:
    return {
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if c.protection.locked is False and not isinstance(c, MergedCell)
    }


def _fill(cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:] if cell.fill.fill_type == "solid" else ""


def _office_scores(scheme, item, assessor: str | None) -> bool:
    """Whether the sheet's filler — the office on a unit's sheet, the member department on its
    inspection sheet — types this item's 核定分 (computed items: flowscore does)."""
    if item.mode == "computed":
        return False
    if assessor is not None:
        return not item.owner or item.owner == assessor
    return not item.owner or item.owner == scheme.decisions.own_sheet_assessor


def _expected(b: dict) -> tuple[set[str], set[str]]:
    """(open cells, highlighted cells), from the rubric and the layout alone."""
    layout, scheme, assessor = b["layout"], b["scheme"], b["assessor"]
    s, v = layout.letter("self"), layout.letter("verified")
    remark = layout.col("remark")
    opened: set[str] = set()
    highlighted: set[str] = set()
    for item in b["sheet"].items:
        row = layout.item_rows[str(item.no)]
        scores = _office_scores(scheme, item, assessor)
        if assessor is None:
            opened.add(f"{s}{row}")
            highlighted.add(f"{s}{row}")
        if scores:
            opened.add(f"{v}{row}")
            if assessor is not None:
                highlighted.add(f"{v}{row}")
        if remark and (assessor is None or scores):
            opened.add(f"{remark.letter}{row}")
    for row in (layout.bonus_row, layout.penalty_row):
        if row and assessor is None:
            opened |= {f"{s}{row}"} | ({f"{remark.letter}{row}"} if remark else set())
            highlighted.add(f"{s}{row}")
    value = layout.columns[-2].letter  # the 填表人 line's values: the last two columns, merged
    for row in layout.signoff_rows:
        opened.add(f"{value}{row}")
        highlighted.add(f"{value}{row}")
    return opened, highlighted


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_protected_without_password(books, case):
    b = books[case]
    p = b["ws"].protection
    assert p.sheet and p.password is None
    # structure stays: no rows or columns inserted or deleted, no sorting, no cell formats
    assert p.insertRows and p.deleteRows and p.insertColumns and p.deleteColumns
    assert p.sort and p.autoFilter and p.formatCells
    # what a clerk may still do: select any cell, make a row taller, a column wider
    assert not (p.selectLockedCells or p.selectUnlockedCells or p.formatRows or p.formatColumns)
    with zipfile.ZipFile(b["path"]) as zf:
        root = ElementTree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    (prot,) = root.iter(f"{MAIN_NS}sheetProtection")
    assert not {"password", "hashValue", "saltValue", "algorithmName"} & set(prot.keys())


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_exactly_the_cells_to_fill_are_open(books, case):
    b = books[case]
    ws = b["ws"]
    opened, highlighted = _expected(b)
    assert _open_cells(ws) == opened
    pale = {c.coordinate for row in ws.iter_rows() for c in row if _fill(c) == PALE}
    assert pale == highlighted


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_computed_and_office_cells_locked_grey_and_said(books, case):
    b = books[case]
    ws, layout = b["ws"], b["layout"]
    v = layout.letter("verified")
    office = b["scheme"].decisions.own_sheet_assessor or "区流管办"
    for item in b["sheet"].items:
        cell = ws[f"{v}{layout.item_rows[str(item.no)]}"]
        if item.mode == "computed":
            assert cell.protection.locked and _fill(cell) == GREY, cell.coordinate
            assert cell.comment.text == f"由{office}根据统计数据计算，不必填写。"
        elif not _office_scores(b["scheme"], item, b["assessor"]):
            assert cell.protection.locked and _fill(cell) == GREY, cell.coordinate
    total = ws[f"{v}{layout.total_row}"]
    assert total.value is None and total.protection.locked and _fill(total) == GREY
    assert f"评价得分由{office}核定" in total.comment.text
    for row, kind in ((layout.bonus_row, "加分"), (layout.penalty_row, "减分")):
        if row:
            cell = ws[f"{v}{row}"]
            assert cell.protection.locked and _fill(cell) == GREY
            assert cell.comment.text.startswith(f"{kind}以{office}的加减分登记为准")


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_signoff_line_below_the_table(books, case):
    b = books[case]
    ws, layout = b["ws"], b["layout"]
    n = len(layout.columns)
    label, value = layout.columns[0].letter, layout.columns[-2].letter
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert layout.signoff_rows[0] == layout.note_row + 1
    for row, text in zip(layout.signoff_rows, SIGNOFF_LABELS, strict=True):
        assert ws[f"{label}{row}"].value == text
        assert ws[f"{label}{row}"].alignment.horizontal == "right"
        assert f"{label}{row}:{layout.columns[n - 3].letter}{row}" in merged
        assert f"{value}{row}:{layout.last_letter}{row}" in merged
        assert ws[f"{value}{row}"].value is None
    date = ws[f"{value}{layout.signoff_rows[-1]}"]
    assert date.number_format == 'yyyy"年"m"月"d"日"'
    assert ws[f"{value}{layout.signoff_rows[1]}"].number_format == "@"  # a phone stays text
    assert ws.print_area.endswith(f"${layout.signoff_rows[-1]}")


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_the_only_live_total_is_the_self_total(books, case):
    b = books[case]
    ws, layout = b["ws"], b["layout"]
    s, v = layout.letter("self"), layout.letter("verified")
    formulas = {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }
    assert all(ref.startswith(s) or ref == f"{layout.last_letter}3" for ref in formulas)
    assert not any(v in f for f in formulas.values() if f)  # no 核定分 summed anywhere
    note = ws.cell(row=layout.note_row, column=1).value
    if b["assessor"] is None:
        label = layout.col("self").label
        assert ws.cell(row=3, column=len(layout.columns) - 2).value == f"{label}合计："
        assert formulas[f"{layout.last_letter}3"] == f"={s}{layout.total_row}"
        assert f"“{label}合计”只是本单位{label}之和，不是评价得分" in note
    else:
        assert formulas == {}  # an inspection sheet has no 自评分 to total
        assert note.startswith(f"说明：{b['assessor']}只填本单位负责项目的")


def _rules(ws) -> dict[str, object]:
    out: dict[str, object] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.coord not in out, f"{rng.coord} 有两条有效性规则"
            out[rng.coord] = dv
    return out


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_every_open_score_cell_has_one_rule_whose_message_fits(books, case):
    b = books[case]
    ws, layout = b["ws"], b["layout"]
    rules = _rules(ws)
    scores = {layout.letter("self"), layout.letter("verified")}
    open_scores = {ref for ref in _open_cells(ws) if re.match(r"[A-Z]+", ref)[0] in scores} - {
        f"{layout.columns[-2].letter}{r}" for r in layout.signoff_rows
    }
    assert set(rules) == open_scores  # no rule on a locked cell, none missing
    for ref, dv in rules.items():
        assert dv.errorStyle == "stop" and dv.allow_blank, ref
        assert dv.showErrorMessage and dv.showInputMessage
        assert len(dv.promptTitle) <= TITLE_MAX, dv.promptTitle
        assert len(dv.prompt) <= PROMPT_MAX, dv.prompt
        assert len(dv.errorTitle) <= TITLE_MAX and len(dv.error) <= ERROR_MAX, dv.error
        # one rule, one message: it says a number is needed, and what number
        assert dv.error.startswith("请填数字"), dv.error
        assert re.search(r"-?\d+(\.\d+)?～-?\d+|不小于|不能小于|只能填|正数", dv.error), dv.error


def test_self_score_rule_allows_more_than_the_max_only_with_a_reason(books):
    b = books[("haishu-2019", "月湖街道", None)]
    dv = _rules(b["ws"])["D8"]  # item 4, 15 points
    assert dv.type == "custom"
    assert dv.formula1 == "AND(ISNUMBER(D8),D8>=0,OR(D8<=15,LEN(TRIM(F8))>0))"
    assert dv.error == (
        "请填数字，不要带“分”字或其他文字。本项分值 0～15 分；高于 15 分的，须先在“备注”栏写明加分理由。"
    )
    verified = _rules(b["ws"])["E8"]
    assert (verified.type, verified.operator, verified.formula1, verified.formula2) == (
        "decimal",
        "between",
        "0",
        "15",
    )
    assert verified.error == "请填数字，不要带“分”字或其他文字。核定分应在 0～15 分之间。"


def test_allowed_scores_are_the_rule(books):
    b = books[("province-2013", "济南市", "市财政局")]
    row = b["layout"].item_rows["二.3"]  # 5 or 0, nothing between
    dv = _rules(b["ws"])[f"G{row}"]
    assert dv.formula1 == f"AND(ISNUMBER(G{row}),OR(G{row}=5,G{row}=0))"
    assert "只能填：5、0" in dv.prompt and "只能填：5、0" in dv.error


def test_inspection_sheet_leaves_the_self_scores_alone(books):
    b = books[("province-2013", "济南市", "市财政局")]
    ws, layout = b["ws"], b["layout"]
    s = layout.letter("self")
    for row in layout.item_rows.values():
        cell = ws[f"{s}{row}"]
        assert cell.protection.locked and _fill(cell) != PALE
    own = {no for no, r in layout.item_rows.items() if f"G{r}" in _open_cells(ws)}
    # its own items (二.3, 三.3) and those any department may score (六.1, 六.2)
    assert own == {"二.3", "三.3", "六.1", "六.2"}


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_every_word_chinese(books, case):
    ws = books[case]["ws"]
    texts = [ws.title]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and not c.value.startswith("="):
                texts.append(c.value)
            if c.comment:
                texts += [c.comment.text, c.comment.author]
    for dv in ws.data_validations.dataValidation:
        texts += [dv.promptTitle, dv.prompt, dv.errorTitle, dv.error]
    # the published document's own words are quoted as they are (北仑: “e乡北仑” platform)
    sheet = books[case]["sheet"]
    quoted = {t for it in sheet.items for t in (it.text, it.criteria, it.short)}
    latin = [t for t in texts if t and LATIN.search(t) and t not in quoted]
    assert latin == []


# -- what the reader makes of them ---------------------------------------------------------------


def _year(tmp: Path, name: str, sample: str = "haishu-2019") -> Path:
    folder = tmp / name
    shutil.copytree(ROOT / "sample_data" / sample, folder)
    return folder


def _scored(folder: Path) -> dict:
    return golden(folder)


def test_filled_signoff_line_changes_no_score_and_adds_no_finding(tmp_path):
    """Every template-made sheet of the sample year with its 填表人 line filled in (a name, a
    phone number as text, a date) scores exactly as the sample does, with the same findings."""
    folder = _year(tmp_path, "signed")
    scheme, _ = load_rubric("haishu-2019")
    signed = 0
    for unit in scheme.units:
        path = folder / annex_filename(scheme, unit.name)
        if not path.exists():
            continue  # typed by hand after the published form
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        layout = annex_layout(scheme.sheet(unit.sheet))
        value = layout.columns[-2].letter
        name, phone, date = layout.signoff_rows
        ws[f"{value}{name}"] = "张晓燕"
        ws[f"{value}{phone}"] = "0574-87291234"
        ws[f"{value}{date}"] = openpyxl.utils.datetime.from_ISO8601("2019-12-10")
        wb.save(path)
        signed += 1
    assert signed == 23
    expected = json.loads((ROOT / "tests" / "golden" / "haishu-2019.json").read_text("utf-8"))
    assert _scored(folder) == expected


V1 = ROOT / "tests" / "template_v1"


@pytest.mark.parametrize(
    ("sample", "golden_name"), [("haishu-2019", "haishu-2019"), ("beilun", "beilun")]
)
def test_sheets_of_the_first_template_still_score_the_same(tmp_path, sample, golden_name):
    """Sheets made by the first template version (``评价得分：`` and the ``IF(COUNT(…))`` total
    in row 3, live 核定分 totals), filled as the sample year's: put in place of the new ones,
    the year scores exactly as its golden results say, finding for finding."""
    folder = _year(tmp_path, "v1", sample)
    old = sorted((V1 / sample).glob("*.xlsx"))
    assert old
    for path in old:
        ws = openpyxl.load_workbook(path).active
        assert "评价得分：" in [c.value for c in ws[3]]  # the first version's row 3
        shutil.copyfile(path, folder / path.name)
    expected = json.loads((ROOT / "tests" / "golden" / f"{golden_name}.json").read_text("utf-8"))
    assert _scored(folder) == expected


def test_first_template_showed_a_wrong_score_the_new_one_cannot():
    """The figure of issue 14: the shipped v1 sheet of 月湖街道 would show 22.5 under 评价得分
    (the 核定分 typed so far) where the unit scores 100.00. The new sheet's row 3 refers to the
    自评分 total only."""
    ws = openpyxl.load_workbook(V1 / "haishu-2019" / "附件1-月湖街道.xlsx").active
    assert ws["F3"].value == "=IF(COUNT(E5:E12)>0,E13,D13)"
    assert ws["E13"].value == "=SUM(E5:E11)-SUM(E12)"

    def typed(rows: range) -> Decimal:
        return sum((Decimal(str(ws[f"E{r}"].value or 0)) for r in rows), Decimal(0))

    assert typed(range(5, 12)) - typed(range(12, 13)) == Decimal("22.5")
    expected = json.loads((ROOT / "tests" / "golden" / "haishu-2019.json").read_text("utf-8"))
    assert expected["units"]["月湖街道"]["total"] == "100.00"
    new = openpyxl.load_workbook(ROOT / "sample_data" / "haishu-2019" / "附件1-月湖街道.xlsx")
    assert new.active["F3"].value == "=D13" and new.active["D3"].value == "自评分合计："


def _shading(cell) -> str:
    return "".join(cell._tc.xpath("./w:tcPr/w:shd/@w:fill"))


@pytest.mark.parametrize(
    ("rubric", "unit", "assessor"),
    [("haishu-2019", "月湖街道", None), ("province-2013", "济南市", "市财政局")],
)
def test_word_template_marks_the_same_cells(rubric, unit, assessor):
    """``--format docx``: pale where the xlsx cell is the filler's task, grey where nobody
    fills it on this sheet — an inspection sheet leaves the 自评分 plain."""
    from flowscore.template_docx import build_annex_docx

    scheme, _ = load_rubric(rubric)
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    table = build_annex_docx(scheme, unit, assessor=assessor).tables[0]
    header = [c.text for c in table.rows[0].cells]
    s, v = header.index(annex_layout(sheet).col("self").label), header.index("核定分")
    seen = 0
    for row in table.rows[1:]:
        item = sheet.item(row.cells[0].text)
        if item is None:
            continue  # a category, the 加分/减分 rows
        seen += 1
        assert _shading(row.cells[s]) == (PALE if assessor is None else "")
        scores = _office_scores(scheme, item, assessor)
        want = GREY if not scores else PALE if assessor else ""
        assert _shading(row.cells[v]) == want, item.no
    assert seen == len(sheet.items)


def test_template_version_marks_the_new_layout():
    """Sheets in units' hands say which layout they have: the first version's, the new one's."""
    from flowscore.contract import PROP_VERSION, TEMPLATE_VERSION

    assert TEMPLATE_VERSION == "2"
    for path in sorted(V1.glob("*/*.xlsx")):
        props = {p.name: p.value for p in openpyxl.load_workbook(path).custom_doc_props.props}
        assert props[PROP_VERSION] == "1", path.name
    new = openpyxl.load_workbook(ROOT / "sample_data" / "haishu-2019" / "附件1-月湖街道.xlsx")
    assert {p.name: p.value for p in new.custom_doc_props.props}[PROP_VERSION] == "2"


def test_total_label_is_not_taken_for_the_unit(tmp_path):
    """A sheet whose properties were lost (copied into a new workbook) and whose seal line was
    emptied: the unit comes from the file name, not from the ``自评分合计：`` beside it."""
    from openpyxl.packaging.custom import CustomPropertyList

    from flowscore.compute import compute_folder

    scheme, _ = load_rubric("haishu-2019")
    wb = build_annex_workbook(scheme, "鼓楼街道")
    wb.custom_doc_props = CustomPropertyList()
    ws = wb.active
    ws["A3"] = "镇（乡）街道(盖章)："
    ws["D5"] = 5
    wb.save(tmp_path / "附件1-鼓楼街道.xlsx")
    result = compute_folder(tmp_path)
    assert result.unit("鼓楼街道").file.endswith("附件1-鼓楼街道.xlsx")
    codes = {f.code for f in result.report}
    assert "unit-from-filename" in codes and "unknown-unit" not in codes


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


@pytest.mark.parametrize(
    ("rubric", "unit", "assessor"),
    [
        ("haishu-2019", "月湖街道", None),
        ("beilun-streets", "大碶街道", None),
        ("province-2013", "济南市", "市财政局"),
    ],
)
def test_word_template_says_what_the_xlsx_says(tmp_path, rubric, unit, assessor):
    """``--format docx``: the seal line carries the honest total's label (none on an inspection
    sheet), the 说明 line below the table is the xlsx sheet's word for word, and the 填表人 line
    follows, each label with a line to write on (a right tab with an underscore leader)."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER

    from flowscore.template_docx import build_annex_docx

    scheme, _ = load_rubric(rubric)
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    layout = annex_layout(sheet)
    ws = build_annex_workbook(scheme, unit, assessor=assessor).active
    document = build_annex_docx(scheme, unit, assessor=assessor)
    texts = _paragraphs(document)
    seal = next(t for t in texts if t.startswith(sheet.seal_label))
    if assessor is None:
        assert seal == f"{sheet.seal_label}：{unit}\t{layout.col('self').label}合计："
        assert ws.cell(row=3, column=len(layout.columns) - 2).value == seal.split("\t")[1]
    else:
        assert seal == f"{sheet.seal_label}：{unit}"
    assert "评价得分：" not in seal
    assert texts[-4] == ws.cell(row=layout.note_row, column=1).value
    assert texts[-3:] == [f"{label}\t" for label in SIGNOFF_LABELS]
    for p in document.paragraphs[-3:]:
        (stop,) = p.paragraph_format.tab_stops
        assert (stop.alignment, stop.leader) == (WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.LINES)


def test_word_template_written_on_by_hand_scores_the_same(tmp_path):
    """The sample Word year's 月湖街道 with its 自评分合计 and 填表人 line written in (and, in a
    second copy, its properties lost): scored exactly as the golden results say."""
    import docx

    folder = _year(tmp_path, "word", "haishu-2019-word")
    path = folder / "附件1-月湖街道.docx"
    document = docx.Document(str(path))
    for p in document.paragraphs:
        if "自评分合计：" in p.text:
            p.add_run("86")
        elif p.text.startswith(SIGNOFF_LABELS):
            p.add_run(
                {"填表人：": "张晓燕", "联系电话：": "0574-87291234"}.get(
                    p.text[:-1], "2019年12月10日"
                )
            )
    document.save(str(path))
    expected = json.loads((ROOT / "tests" / "golden" / "haishu-2019-word.json").read_text("utf-8"))
    assert _scored(folder) == expected
    # the seal line alone names the unit: its total's figure is not part of the name
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            if name == "docProps/custom.xml":
                data = data.replace(b"flowscore.unit", b"x.unit")
            zf.writestr(name, data)
    unit = _scored(folder)["units"]["月湖街道"]
    assert unit == expected["units"]["月湖街道"]


@pytest.mark.parametrize("case", SHEETS, ids=_id)
def test_pasted_text_is_marked(books, case):
    """Pasting skips data validation in Excel and WPS: every score cell with a rule turns red
    when it holds text."""
    ws = books[case]["ws"]
    marked = {str(cf.sqref): [r.formula for r in cf.rules] for cf in ws.conditional_formatting}
    for ref in _rules(ws):
        assert [f"ISTEXT({ref})"] in marked.get(ref, []), ref
