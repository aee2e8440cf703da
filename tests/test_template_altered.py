"""A returned template that was altered is named item by item (issue #16): 分值 edited, rows
deleted or added, made from another version of the rubric or from another year's. Fixtures
are templates from ``flowscore.template``, edited as a unit's clerk would."""

from __future__ import annotations

import sys
from pathlib import Path

from registers import ROOT, sample_copy

from flowscore.compute import compute_folder
from flowscore.findings import Level
from flowscore.rubric import load_rubric
from flowscore.template import annex_filename, annex_layout, build_annex_workbook

HAISHU, _ = load_rubric("haishu-2019")


def _altered(result):
    return [f for f in result.report if f.code == "template-altered"]


def _folder(tmp_path: Path) -> Path:
    return sample_copy("haishu-2019", tmp_path / "in")


def _fill(ws, layout, sheet):
    for item in sheet.items:
        r = layout.item_rows[str(item.no)]
        ws.cell(row=r, column=4, value=float(item.max) if not item.is_adjustment else 0)
        if item.mode != "computed":
            ws.cell(row=r, column=5, value=float(item.max) - 1)


def test_edited_max_and_deleted_and_added_rows_are_named(tmp_path):
    folder = _folder(tmp_path)
    sheet = HAISHU.sheet(HAISHU.unit("月湖街道").sheet)
    layout = annex_layout(sheet)
    wb = build_annex_workbook(HAISHU, "月湖街道")
    ws = wb.active
    _fill(ws, layout, sheet)
    ws.cell(row=layout.item_rows["2"], column=3, value=45)  # 分值 40 made 45
    ws.cell(row=layout.item_rows["6"], column=1, value=7)  # item 6 renumbered 7
    ws.delete_rows(layout.item_rows["5"])  # item 5 deleted
    wb.save(folder / annex_filename(HAISHU, "月湖街道"))
    result = compute_folder(folder)
    found = {f.message: f for f in _altered(result)}
    (edited,) = [f for f in found.values() if "分值写的是" in f.message]
    assert edited.message == "序号2（新型居住证）的分值写的是 45，评分细则为 40，以评分细则为准"
    assert edited.level is Level.WARNING and edited.cell == f"C{layout.item_rows['2']}"
    (rows,) = [f for f in found.values() if "行被改动" in f.message]
    assert rows.message == (
        "此表由 flowscore 模板生成，但行被改动：删去了序号5（公共服务）、序号6（社会整合）；增加了序号7"
    )
    item2 = next(i for i in result.unit("月湖街道").items if i.no == 2)
    assert item2.max == 40  # scored by the rubric's 分值


def test_a_template_of_another_version_of_the_rubric_is_said(tmp_path):
    folder = _folder(tmp_path)
    text = (ROOT / "flowscore" / "rubrics" / "haishu-2019.toml").read_text("utf-8")
    older = tmp_path / "old" / "haishu-2019.toml"
    older.parent.mkdir()
    older.write_text(text.replace("deadline =", "# 2019-11 版\ndeadline =", 1), "utf-8")
    scheme, _ = load_rubric(older)
    assert scheme.digest != HAISHU.digest
    sheet = HAISHU.sheet(HAISHU.unit("月湖街道").sheet)
    wb = build_annex_workbook(scheme, "月湖街道")
    _fill(wb.active, annex_layout(sheet), sheet)
    wb.save(folder / annex_filename(HAISHU, "月湖街道"))
    result = compute_folder(folder)
    (said,) = _altered(result)
    assert said.level is Level.INFO
    assert said.message.endswith("本表各项的序号和分值与本次细则相同")
    assert result.unit("月湖街道").status == "final"


def test_another_years_template_is_read_item_by_item(tmp_path):
    """Last year's templates (haishu-2018: item 3 of 区市场监管局 was 35 points, the town item
    2's target 8%) against this year's rubric: read item by item (issue 14), each difference a
    finding on its item, not a refusal of the sheet."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_previous_year

    rubric = tmp_path / "haishu-2018.toml"
    rubric.write_text(make_previous_year.rubric_2018(), "utf-8")
    last_year, _ = load_rubric(rubric)
    folder = _folder(tmp_path)
    for unit in ("区市场监管局", "月湖街道"):
        build_annex_workbook(last_year, unit).save(folder / annex_filename(HAISHU, unit))
    result = compute_folder(folder, rubric="haishu-2019")
    assert not [f for f in result.report if f.code == "scheme-mismatch"]
    assert not _altered(result)  # said item by item instead
    said = {f.unit: f for f in result.report if f.code == "scheme-other-version"}
    assert said["月湖街道"].message == (
        "这份评分表由评分细则“haishu-2018”的模板生成，本次使用“haishu-2019”：已按序号和考核内容"
        "逐项对应（本次细则 6 个项目，表中对得上 6 个）"
    )
    assert said["区市场监管局"].level is Level.INFO
    (differs,) = [f for f in result.report if f.code == "max-differs"]
    assert (differs.unit, differs.cell, differs.message) == (
        "区市场监管局",
        "C7",
        "序号 3（无证无照查处）在评分表上的分值是 35，本次细则是 40，按本次细则的 40 分计分",
    )
    market = {i.no: i for i in result.unit("区市场监管局").items}
    assert market[3].max == 40 and market[3].source == "pending"  # the blank template's 核定分
    assert {i.no for i in result.unit("月湖街道").items} == {1, 2, 3, 4, 5, 6}
    assert result.unit("月湖街道").status == "provisional"  # read, not 未报送


def test_sheets_typed_by_hand_and_the_samples_are_not_flagged(scored_sample):
    for name in ("haishu-2019", "beilun", "province-2013"):
        assert _altered(scored_sample(name)) == [], name
