"""The assessor's register (核定登记表, issue #16): the template, reading it by content, the
precedence of its entries over the sheets' 核定分 in every mode, the refusals (each a finding
naming its row), and where a score from the register says so (explain, 明细, feedback,
results.json). Fixtures are registers made from the template (``registers.py``)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from registers import sample_copy, write_register
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.contract import PROP_KIND, PROP_RUBRIC_DIGEST, PROP_SCHEME, REGISTER_NAME
from flowscore.findings import Level
from flowscore.rubric import load_rubric
from flowscore.template_register import (
    HEADERS,
    LIST_SHEET,
    REGISTER_SHEET,
    build_register_workbook,
    item_choice,
)

HAISHU, _ = load_rubric("haishu-2019")
PROVINCE, _ = load_rubric("province-2013")
BEILUN, _ = load_rubric("beilun-streets")
runner = CliRunner()


def _item(result, unit, no):
    return next(i for i in result.unit(unit).items if str(i.no) == str(no))


def _codes(result, code):
    return [f for f in result.report if f.code == code]


def _haishu(tmp_path: Path, rows):
    folder = sample_copy("haishu-2019", tmp_path / "in")
    write_register(HAISHU, folder, rows)
    return compute_folder(folder)


# -- the template ---------------------------------------------------------------------------------


def test_template_has_headers_lists_messages_and_properties(tmp_path):
    r = runner.invoke(app, ["template", "--register", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / REGISTER_NAME)
    ws = wb[REGISTER_SHEET]
    assert (
        tuple(c.value for c in ws[2])
        == HEADERS
        == (
            "单位",
            "序号/项目",
            "核定分",
            "理由",
            "核定人",
            "日期",
        )
    )
    assert wb[LIST_SHEET].sheet_state == "hidden"
    assert ws.freeze_panes == "A3"
    checks = {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}
    assert set(checks) == set("ABCDEF")
    assert checks["A"].type == "list" and checks["B"].type == "list"
    assert "OFFSET" in checks["B"].formula1 and "$A3" in checks["B"].formula1  # follows the unit
    assert checks["B"].errorStyle == "warning"  # a 序号 typed by hand is accepted
    assert checks["F"].type == "date"
    assert all(dv.prompt and dv.showInputMessage for dv in checks.values())
    lists = wb[LIST_SHEET]
    units = [c.value for c in lists["D"][1:] if c.value]
    assert units == [u.name for u in HAISHU.units]
    rows = [(a.value, b.value) for a, b in zip(lists["A"][1:], lists["B"][1:], strict=True)]
    mine = [b for a, b in rows if a == "区市场监管局"]
    assert mine == [item_choice(it) for it in HAISHU.sheet("dept-market").items]
    assert mine[0] == "1 工作报备和量化积分审核（30分）"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props[PROP_SCHEME] == "haishu-2019" and props[PROP_KIND] == "register"
    assert props[PROP_RUBRIC_DIGEST] == HAISHU.digest
    again = runner.invoke(app, ["template", "--register", "--out", str(tmp_path)])
    assert again.exit_code == 1 and "已存在" in again.output


def test_a_blank_register_is_read_and_changes_nothing(tmp_path):
    folder = sample_copy("haishu-2019", tmp_path / "in")
    plain = compute_folder(folder)
    build_register_workbook(HAISHU).save(folder / REGISTER_NAME)
    result = compute_folder(folder)
    assert [u.total for u in result.units] == [u.total for u in plain.units]
    assert next(f for f in result.inputs if f.path == REGISTER_NAME).kind == "register"
    assert not [f for f in result.report if f.code.startswith("register")]


# -- precedence -------------------------------------------------------------------------------------


def test_an_entry_overrides_the_sheets_score_and_says_who_when_why(tmp_path):
    result = _haishu(
        tmp_path,
        [
            (
                "西门街道",
                "4 出租房屋管理（15分）",
                12,
                "抽查发现3处群租房未整改",
                "王敏",
                dt.date(2019, 12, 16),
            )
        ],
    )
    it = _item(result, "西门街道", 4)
    assert (it.verified, it.source, it.entered) == (D("12.00"), "assessor", D(14))
    note = it.register
    assert (note.who, note.date, note.reason, note.used) == (
        "王敏",
        "2019-12-16",
        "抽查发现3处群租房未整改",
        True,
    )
    assert (note.before, note.before_source, note.row, note.file) == (
        D("14.00"),
        "assessor",
        3,
        REGISTER_NAME,
    )
    assert "核定登记表：王敏，2019-12-16，理由：抽查发现3处群租房未整改" in it.explanation
    assert "原为评分表核定分 14.00 分" in it.explanation
    (used,) = _codes(result, "register-used")
    assert used.level is Level.INFO and used.file == REGISTER_NAME and used.cell == "C3"
    assert "原为评分表核定分 14.00 分" in used.message


def test_a_pending_item_is_decided_by_the_register(tmp_path):
    result = _haishu(tmp_path, [("白云街道", 6, 4.5, "补报台账", "李强", "2019年12月17日")])
    assert _item(result, "白云街道", 6).verified == D("4.50")
    assert result.unit("白云街道").status == "final"
    assert "原为待核定" in _item(result, "白云街道", 6).explanation


def test_a_computed_item_needs_a_reason(tmp_path):
    result = _haishu(
        tmp_path,
        [
            ("区教育局", "1", 18, "", "王敏", "2019-12-16"),  # no reason: refused
            ("横街镇", "1", 3, "2份文件已补报", "王敏", "2019-12-16"),  # with one: override
            ("南门街道", "2", 35, "", "王敏", "2019-12-16"),  # the computed value: fine
        ],
    )
    edu = _item(result, "区教育局", 1)
    assert (edu.verified, edu.source) == (D("15.00"), "computed")  # the sheets' result
    assert edu.register is not None and not edu.register.used
    (refused,) = _codes(result, "register-no-reason")
    assert refused.level is Level.ERROR and refused.cell == "C3"
    assert "第3行" in refused.message and "计算为 15.00" in refused.message
    assert _codes(result, "computed-differs")  # the sheet's own 20 is still said
    town = _item(result, "横街镇", 1)
    assert (town.verified, town.source, town.computed) == (D("3.00"), "override", D("0.00"))
    assert "考核组改写为 3.00 分（核定登记表：王敏" in town.explanation
    same = _item(result, "南门街道", 2)
    assert (same.verified, same.source) == (D("35.00"), "computed")
    assert "与计算值相同" in same.explanation and same.register.used


def test_above_a_computed_ceiling_needs_a_reason(tmp_path):
    result = _haishu(
        tmp_path,
        [
            ("区市场监管局", "1", 28, "", "王敏", "2019-12-16"),
            ("海曙公安分局", "1", 26, "", "王敏", "2019-12-16"),  # below its ceiling 30
        ],
    )
    market = _item(result, "区市场监管局", 1)
    assert (market.verified, market.source) == (D("24.00"), "assessor")  # the sheet's 24
    (refused,) = _codes(result, "register-no-reason")
    assert "高于计算上限 25.00" in refused.message
    police = _item(result, "海曙公安分局", 1)
    assert (police.verified, police.source, police.computed) == (D("26.00"), "assessor", D(30))
    with_reason = _haishu(
        tmp_path / "b", [("区市场监管局", "1", 28, "补报材料齐全", "王敏", "2019-12-16")]
    )
    market = _item(with_reason, "区市场监管局", 1)
    assert (market.verified, market.source) == (D("28.00"), "override")
    assert "高于计算上限" in market.explanation


def test_conflicting_entries_name_both_rows_and_leave_the_item_pending(tmp_path):
    result = _haishu(
        tmp_path,
        [
            ("月湖街道", "4", 13, "复核", "王敏", "2019-12-16"),
            ("月湖街道", "4", 12, "再次复核", "李强", "2019-12-18"),
        ],
    )
    it = _item(result, "月湖街道", 4)
    assert it.verified is None and it.source == "pending"
    assert result.unit("月湖街道").status == "provisional"
    (conflict,) = _codes(result, "register-conflict")
    assert conflict.level is Level.ERROR
    assert "第3行 13（王敏，2019-12-16）" in conflict.message
    assert "第4行 12（李强，2019-12-18）" in conflict.message
    from flowscore.todo import next_steps

    (todo,) = [p for p in next_steps(result).pending if p.unit == "月湖街道"]
    assert (todo.file, todo.cell) == (REGISTER_NAME, "C3")  # settled in the register


def test_the_same_score_twice_counts_once(tmp_path):
    result = _haishu(
        tmp_path,
        [
            ("月湖街道", "4", 13, "复核", "王敏", "2019-12-16"),
            ("月湖街道", "4 出租房屋管理（15分）", 13, "复核一致", "李强", "2019-12-17"),
        ],
    )
    assert _item(result, "月湖街道", 4).verified == D("13.00")
    (twice,) = _codes(result, "register-repeated")
    assert twice.level is Level.INFO and "第3行、第4行" in twice.message
    assert _item(result, "月湖街道", 4).register.who == "王敏"  # the first row


def test_a_unit_without_a_sheet_is_not_scored_by_the_register(tmp_path):
    folder = sample_copy("haishu-2019", tmp_path / "in")
    (folder / "附件1-龙观乡.xlsx").unlink()
    write_register(HAISHU, folder, [("龙观乡", "4", 14, "", "王敏", "2019-12-16")])
    result = compute_folder(folder)
    assert result.unit("龙观乡").status == "missing" and result.unit("龙观乡").total is None
    (said,) = _codes(result, "register-unit-unscored")
    assert said.level is Level.WARNING and "不会使未报送的单位得分" in said.message


def test_assessor_optional_items_take_the_register(tmp_path):
    folder = sample_copy("beilun", tmp_path / "in")
    write_register(
        BEILUN, folder, [("大碶街道", "5", 4, "登记点不规范，酌情扣2分", "陈刚", "2019-12-20")]
    )
    result = compute_folder(folder)
    it = _item(result, "大碶街道", 5)
    assert it.mode == "ceiling_assessor" and it.verified == D("4.00") and it.register.used


def test_rows_that_cannot_be_entries_are_findings_naming_the_row(tmp_path):
    result = _haishu(
        tmp_path,
        [
            (None, "4", 13, "", "王敏"),  # no unit
            ("月湖街道", None, 13, "", "王敏"),  # no item
            ("月湖街道", "99", 13, "", "王敏"),  # not on its sheet
            ("月湖街道", "4", None, "", "王敏"),  # no score
            ("月湖街道", "4", "十三分", "", "王敏"),  # not a number
            ("月湖街道", "4", 13, "复核"),  # nobody entered it
            ("月湖街道", "4", 16, "复核", "王敏"),  # out of range: pending
            ("月亮街道", "4", 13, "", "王敏"),  # not on the roster
        ],
    )
    bad = _codes(result, "register-bad-entry")
    by_row = {
        f.message.split("第")[1].split("行")[0]: f for f in bad if "核定登记表第" in f.message
    }
    assert {"3", "4", "5", "6", "7"} <= set(by_row)
    assert "没有填单位" in by_row["3"].message and "没有填序号/项目" in by_row["4"].message
    assert "不是月湖街道评分表" in by_row["5"].message and "核定分为空" in by_row["6"].message
    assert any("没有填写核定人" in f.message for f in bad)
    assert any("超出范围 0～15" in f.message for f in bad)
    assert all(f.level is Level.ERROR and f.file == REGISTER_NAME for f in bad)
    assert _codes(result, "unknown-unit")
    it = _item(result, "月湖街道", 4)
    assert it.source == "pending" and "核定登记表第9行登记的核定分 16 未采用" in it.explanation


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        (dt.date(2019, 12, 16), "2019-12-16"),
        (dt.datetime(2019, 12, 16, 15, 30), "2019-12-16"),
        ("2019-12-16", "2019-12-16"),
        ("2019/12/6", "2019-12-06"),
        ("2019.12.16", "2019-12-16"),
        ("２０１９年１２月１６日", "2019-12-16"),
        (20191216, "2019-12-16"),
        (43815, "2019-12-16"),  # an Excel date the cell did not format
    ],
)
def test_dates_as_excel_dates_or_typed_text(tmp_path, written, iso):
    result = _haishu(tmp_path, [("月湖街道", "4", 13, "复核", "王敏", written)])
    assert _item(result, "月湖街道", 4).register.date == iso
    assert not _codes(result, "register-bad-date")


@pytest.mark.parametrize(("written", "variant"), [("下周一", "无法识别"), (None, "没有填写日期")])
def test_an_unreadable_or_missing_date_warns_and_the_entry_counts(tmp_path, written, variant):
    result = _haishu(tmp_path, [("月湖街道", "4", 13, "复核", "王敏", written)])
    it = _item(result, "月湖街道", 4)
    assert it.verified == D("13.00") and it.register.date == ""
    (said,) = _codes(result, "register-bad-date")
    assert said.level is Level.WARNING and variant in said.message
    assert "日期未填" in it.explanation


# -- the provincial scheme's member-owned items -----------------------------------------------------


def test_an_owned_item_needs_a_reason_and_the_register_settles_a_conflict(tmp_path):
    folder = sample_copy("province-2013", tmp_path / "in")
    plain = compute_folder(folder)
    assert _item(plain, "青岛市", "六.1").source == "pending"  # 专项组办公室 4, 市人社局 2
    owned = next(
        it
        for it in PROVINCE.sheet(PROVINCE.unit("济南市").sheet).items
        if it.owner and it.owner != PROVINCE.decisions.own_sheet_assessor
    )
    write_register(
        PROVINCE,
        folder,
        [
            ("青岛市", "六.1", 3, "专项组办公室会同市人社局复核", "赵立", "2013-12-20"),
            ("济南市", str(owned.no), owned.max, "", "赵立", "2013-12-20"),  # no reason
        ],
    )
    result = compute_folder(folder)
    settled = _item(result, "青岛市", "六.1")
    assert (settled.verified, settled.source) == (D("3.00"), "assessor")
    conflict = next(f for f in result.report if f.code == "assessor-conflict")
    assert conflict.level is Level.INFO and "已由核定登记表确定" in conflict.message
    (refused,) = _codes(result, "register-no-reason")
    assert f"由{owned.owner}负责评分" in refused.message
    assert _item(result, "济南市", owned.no) == _item(plain, "济南市", owned.no)


# -- ranks moved -------------------------------------------------------------------------------------


def test_a_rank_moved_by_the_register_or_an_override_is_named(scored_sample):
    result = scored_sample("haishu-2019")  # 江厦街道 item 4: 14 → 15 in its register
    (moved,) = _codes(result, "rank-moved")
    assert moved.level is Level.WARNING
    assert moved.message == (
        "A类街道中，江厦街道 第6名→第5名（上升1名）、鼓楼街道 第5名→第6名（下降1名）"
        "（与不采用核定登记表和核定改写时相比）"
    )


def test_no_warning_when_no_rank_moves(tmp_path):
    result = _haishu(tmp_path, [("西门街道", "4", 13, "复核", "王敏", "2019-12-16")])
    assert not _codes(result, "rank-moved")  # 西门街道 stays last of its tier


def test_a_tie_made_by_the_register_is_a_move(tmp_path):
    result = _haishu(tmp_path, [("月湖街道", "4", 13, "复核", "王敏", "2019-12-16")])
    (moved,) = _codes(result, "rank-moved")  # 月湖街道 99.50 ties 望春街道: both first
    assert "望春街道 第2名→第1名（上升1名）" in moved.message


# -- where it shows ----------------------------------------------------------------------------------


def test_register_shows_in_json_explain_detail_and_feedback(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(
        app,
        ["compute", "sample_data/haishu-2019", "--out", str(out), "-q", "--text"],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    data = json.loads((out / "results.json").read_text("utf-8"))
    unit = next(u for u in data["units"] if u["unit"] == "江厦街道")
    item = next(i for i in unit["items"] if i["no"] == 4)
    assert item["register"] == {
        "score": 15,
        "who": "李强",
        "date": "2019-12-18",
        "reason": "复核出租房屋管理台账，问题已整改到位，不扣分",
        "file": REGISTER_NAME,
        "sheet": REGISTER_SHEET,
        "row": 5,
        "cell": "C5",
        "used": True,
        "before": 14.0,
        "before_source": "assessor",
    }
    assert all("register" in i for u in data["units"] for i in u["items"])  # null elsewhere
    ws = openpyxl.load_workbook(out / "考核汇总.xlsx")["明细"]
    header = [c.value for c in ws[1]]
    col = header.index("核定登记")
    rows = {(row[0].value, row[2].value): row[col].value for row in ws.iter_rows(min_row=2)}
    assert rows[("江厦街道", 4)].startswith(
        "李强，2019-12-18，登记 15 分；理由：复核出租房屋管理台账"
    )
    assert rows[("月湖街道", 4)] is None
    text = (out / "reports" / "江厦街道.txt").read_text("utf-8")
    assert "核定登记表：李强，2019-12-18，理由：复核出租房屋管理台账" in text
    import docx

    doc = docx.Document(str(out / "反馈单" / "江厦街道.docx"))
    assert any("核定登记表：李强，2019-12-18" in p.text for p in doc.paragraphs)
    shown = runner.invoke(app, ["explain", "-u", "江厦街道", str(out)], catch_exceptions=False)
    flat = "".join(shown.output.split())
    assert "核定登记：李强，2019-12-18，登记15.00分，理由：复核出租房屋管理台账" in flat


@pytest.mark.parametrize("rubric", ["haishu-2019", "beilun-streets", "province-2013"])
def test_every_item_the_list_offers_is_read_back(rubric):
    from flowscore.inputs.kinds.register import find_item

    scheme, _ = load_rubric(rubric)
    for sheet in scheme.sheets:
        for it in sheet.items:
            for written in (item_choice(it), str(it.no), it.no):
                assert find_item(sheet, written) == (it, ""), (rubric, written)


def test_template_register_with_units_writes_both_or_nothing(tmp_path):
    (tmp_path / REGISTER_NAME).write_bytes(b"")
    r = runner.invoke(app, ["template", "--register", "-u", "月湖街道", "--out", str(tmp_path)])
    assert r.exit_code == 1 and not list(tmp_path.glob("附件*"))  # refused before writing
    r = runner.invoke(
        app, ["template", "--register", "-u", "月湖街道", "--out", str(tmp_path), "--force"]
    )
    assert r.exit_code == 0 and len(list(tmp_path.glob("*.xlsx"))) == 2
