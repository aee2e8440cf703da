"""Reading and scoring a folder end to end (library level, no CLI)."""

from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from builders import EXAMPLE, indicator_book, published_annex, town_rows

from flowscore.compute import compute_folder
from flowscore.errors import NothingToScore


def codes(result, unit=None):
    return [f.code for f in result.report if unit is None or f.unit == unit]


def item(result, unit, no):
    return next(i for i in result.unit(unit).items if str(i.no) == str(no))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """月湖街道 scored to exactly 93.25: item 1 = 5, item 2 = 35 (worked example), item 3 = 30,
    assessor items 13.25 + 5 + 5."""
    published_annex(
        tmp_path / "yuehu.xlsx",
        unit="月湖街道",
        rows=town_rows(verified=(None, None, None, 13.25, 5, 5)),
    )
    indicator_book(tmp_path / "指标.xlsx", {"月湖街道": {**EXAMPLE, "未报备发文数": 0}})
    return tmp_path


def test_worked_example_total_and_contribution(folder):
    r = compute_folder(folder)
    u = r.unit("月湖街道")
    assert [i.verified for i in u.items] == [
        D("5.00"),
        D("35.00"),
        D("30.00"),
        D("13.25"),
        D(5),
        D(5),
    ]
    assert u.total == D("93.25")
    assert u.contribution == D("0.6528")  # 0.7 × 93.25 / 100 = 0.65275, half-up
    assert u.status == "final" and u.rank == 1
    assert item(r, "月湖街道", 2).source == "computed"
    assert item(r, "月湖街道", 4).source == "assessor"


def test_missing_units_are_reported_not_scored(folder):
    r = compute_folder(folder)
    missing = [u for u in r.units if u.status == "missing"]
    assert len(missing) == 25
    assert all(u.total is None and u.rank is None for u in missing)
    assert codes(r, "区教育局") == ["missing-submission"]


def test_self_score_above_max(tmp_path):
    published_annex(
        tmp_path / "a.xlsx",
        unit="月湖街道",
        rows=town_rows(
            self_scores=(5, 40, 30, 16, 6, 5), remarks=("", "", "", "", "获市级表彰，申请加分", "")
        ),
    )
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE})
    r = compute_folder(tmp_path)
    found = {f.code: f for f in r.report if f.unit == "月湖街道"}
    assert found["self-above-max"].cell == "D8"
    assert "自评分 16 高于分值 15" in found["self-above-max"].message
    assert found["self-above-max-with-reason"].level.value == "info"


def test_missing_assessor_score_is_pending(tmp_path):
    published_annex(
        tmp_path / "a.xlsx",
        unit="月湖街道",
        rows=town_rows(verified=(None, None, None, None, 5, 5)),
    )
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE})
    r = compute_folder(tmp_path)
    u = r.unit("月湖街道")
    assert u.status == "provisional"
    it = item(r, "月湖街道", 4)
    assert it.source == "pending" and it.verified is None
    assert "pending" in codes(r, "月湖街道")
    # the self score is never silently used
    assert u.subtotal == D("0.00") + D(0) + D("35.00") + D("30.00") + D(10)


def test_verified_typed_for_computed_item(tmp_path):
    rows = town_rows(
        verified=(4, 38, None, 13, 5, 5),
        remarks=("", "经复核，电子居住证数据口径调整", "", "", "", ""),
    )
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=rows)
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": {**EXAMPLE, "未报备发文数": 0}})
    r = compute_folder(tmp_path)
    one, two = item(r, "月湖街道", 1), item(r, "月湖街道", 2)
    assert one.verified == D(5) and one.source == "computed"  # no reason: computed stands
    assert "与计算值不同，未采用" in one.explanation
    assert "computed-differs" in codes(r, "月湖街道")
    assert two.verified == D(38) and two.source == "override"
    assert "经复核" in two.explanation and "计算值 35.00" in two.explanation


def test_number_forms_in_sheets_and_indicators(tmp_path):
    published_annex(
        tmp_path / "a.xlsx",
        unit="月湖街道",
        rows=town_rows(
            self_scores=("５", " 38.5 ", "30", 15, 5, 5),
            verified=(None, None, None, "１３", "4.5", 5),
        ),
    )
    values = {
        **EXAMPLE,
        "居住半年以上流动人口数": "10,000",
        "居住证申领数": "２７５０",
        "未报备发文数": " 0 ",
        "量化积分窗口专人负责": " 是 ",
    }
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": values})
    r = compute_folder(tmp_path)
    assert [i.self_score for i in r.unit("月湖街道").items][:2] == [D(5), D("38.5")]
    assert item(r, "月湖街道", 2).verified == D(35)
    assert item(r, "月湖街道", 4).verified == D(13)
    assert not [f for f in r.report if f.level.value == "error" and f.unit == "月湖街道"]


def test_bad_scores_are_findings_with_cells(tmp_path):
    published_annex(
        tmp_path / "a.xlsx",
        unit="月湖街道",
        rows=town_rows(verified=(None, None, None, "13分", 7, -1)),
    )
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE})
    r = compute_folder(tmp_path)
    by_cell = {f.cell: f for f in r.report if f.unit == "月湖街道" and f.level.value == "error"}
    assert "13分" in by_cell["E8"].message and by_cell["E8"].code == "bad-score"
    assert by_cell["E9"].code == "score-out-of-range"
    assert by_cell["E10"].code == "bad-score"
    assert all(item(r, "月湖街道", n).source == "pending" for n in (4, 5, 6))


def test_zero_denominator_is_pending_and_unranked(tmp_path):
    for unit in ("月湖街道", "西门街道"):
        published_annex(tmp_path / f"{unit}.xlsx", unit=unit, rows=town_rows())
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": {**EXAMPLE, "持证数": 0}, "西门街道": EXAMPLE})
    r = compute_folder(tmp_path)
    three = item(r, "月湖街道", 3)
    assert three.source == "pending" and "持证数”为0" in three.explanation
    assert "zero-denominator" in codes(r, "月湖街道")
    assert "在1个单位中排第1名" in item(r, "西门街道", 3).explanation


def test_missing_indicator_row(tmp_path):
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=town_rows())
    indicator_book(tmp_path / "i.xlsx", {"西门街道": EXAMPLE})
    r = compute_folder(tmp_path)
    assert "missing-indicator" in codes(r, "月湖街道")
    assert all(item(r, "月湖街道", n).source == "pending" for n in (1, 2, 3))


def test_no_indicator_workbook_at_all(tmp_path):
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=town_rows())
    r = compute_folder(tmp_path)
    assert "no-indicators" in codes(r)


def test_bonus_same_topic_highest_penalty_summed_range_checked(folder):
    indicator_book(
        folder / "指标.xlsx",
        {"月湖街道": {**EXAMPLE, "未报备发文数": 0}},
        entries=[
            ("月湖街道", "加分", "积分制创新", 10, "区领导批示"),
            ("月湖街道", "加分", "积分制 创新", 12, "市级媒体报道"),
            ("月湖街道", "加分", "红色驿站", 5, ""),
            ("月湖街道", "减分", "信访事件", 5, ""),
            ("月湖街道", "减分", "通报批评", -6, ""),
            ("月湖街道", "加分", "过大", 20, ""),
        ],
    )
    r = compute_folder(folder)
    u = r.unit("月湖街道")
    assert u.bonus == D(17) and u.penalty == D(-11)
    assert u.total == D("93.25") + 17 - 11
    counted = {(e.topic, e.points): e.counted for e in u.entries}
    assert counted[("积分制创新", D(10))] is False
    assert counted[("积分制 创新", D(12))] is True
    assert counted[("过大", D(20))] is False
    oor = next(f for f in r.report if f.code == "entry-out-of-range")
    assert oor.sheet == "加减分" and oor.cell == "D7"


def test_tier_ranks_share_ties(tmp_path):
    for unit in ("月湖街道", "西门街道", "江厦街道"):
        published_annex(tmp_path / f"{unit}.xlsx", unit=unit, rows=town_rows())
    published_annex(
        tmp_path / "b.xlsx", unit="古林镇", rows=town_rows(verified=(None,) * 3 + (1, 1, 1))
    )
    same = {**EXAMPLE, "未报备发文数": 0}
    indicator_book(
        tmp_path / "i.xlsx",
        {
            "月湖街道": same,
            "西门街道": same,
            "江厦街道": {**same, "未报备发文数": 1},
            "古林镇": same,
        },
    )
    r = compute_folder(tmp_path)
    ranks = {u.unit: u.rank for u in r.units if u.total is not None}
    assert ranks["月湖街道"] == ranks["西门街道"] == 1
    assert ranks["江厦街道"] == 3
    assert ranks["古林镇"] == 1  # tier B has its own ranking


def test_duplicate_files_for_one_unit_name_both(tmp_path):
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=town_rows())
    published_annex(tmp_path / "b.xlsx", unit="月湖街道", rows=town_rows())
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE})
    r = compute_folder(tmp_path)
    dup = next(f for f in r.report if f.code == "duplicate-unit")
    assert "a.xlsx" in dup.message and "b.xlsx" in dup.message
    assert r.unit("月湖街道").status == "provisional"
    assert all(i.source == "pending" for i in r.unit("月湖街道").items)


def test_unknown_unit_suggests_closest(tmp_path):
    published_annex(tmp_path / "a.xlsx", unit="月湖街", rows=town_rows())
    with pytest.raises(NothingToScore) as info:  # the one sheet names no unit of the roster
        compute_folder(tmp_path)
    f = next(f for f in info.value.findings if f.code == "unknown-unit")
    assert f.cell == "A3" and "月湖街道" in f.hint
    assert "没有任何单位的评分表" in info.value.message


def test_unit_from_file_name_when_seal_line_blank(tmp_path):
    published_annex(tmp_path / "附件1-鼓楼街道.xlsx", unit=None, rows=town_rows())
    indicator_book(tmp_path / "i.xlsx", {"鼓楼街道": EXAMPLE})
    r = compute_folder(tmp_path)
    assert r.unit("鼓楼街道").status == "final"
    assert "unit-from-filename" in codes(r, "鼓楼街道")


def test_header_far_down_spaced_labels_and_aliases(tmp_path):
    published_annex(
        tmp_path / "a.xlsx",
        unit="海曙区 月湖街道",
        rows=town_rows(),
        title_rows=29,
        header=("序 号", "考 核 内 容", "分 值", "自 评 分", "核 定 分"),
    )
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE}, header_row=30)
    r = compute_folder(tmp_path)
    assert r.unit("月湖街道").status == "final"


def test_unknown_and_duplicate_item_numbers(tmp_path):
    rows = [*town_rows(), (7, "多出来的一项", 5, 5, None, ""), (4, "重复", 15, 15, 15, "")]
    published_annex(tmp_path / "a.xlsx", unit="月湖街道", rows=rows)
    indicator_book(tmp_path / "i.xlsx", {"月湖街道": EXAMPLE})
    r = compute_folder(tmp_path)
    c = codes(r, "月湖街道")
    assert "unknown-item" in c and "duplicate-item" in c
    assert item(r, "月湖街道", 4).verified == D(13)  # the first row stands


def test_department_sheet_in_published_layout_matched_by_text(tmp_path):
    """附件2 as published has 考核部门 instead of 序号: rows are matched by their 考核内容."""
    s = __import__("flowscore.rubric", fromlist=["load_rubric"]).load_rubric()[0]
    sheet = s.sheet("dept-medicare")
    rows = [
        ("区\n医\n保\n局" if i == 0 else None, it.text, it.max_label, it.max, it.max if i else None)
        for i, it in enumerate(sheet.items)
    ]
    published_annex(
        tmp_path / "医保.xlsx",
        unit="区医保局",
        seal="部门(盖章)",
        rows=rows,
        header=("考核部门", "考    核    内    容", "得分", "自评分", "核定分"),
    )
    indicator_book(tmp_path / "i.xlsx", {"区医保局": {"未报备发文数": 1}}, columns=["未报备发文数"])
    r = compute_folder(tmp_path)
    u = r.unit("区医保局")
    assert [i.verified for i in u.items] == [D(5), D(40), D(25), D(25)]
    assert u.total == D(95) and u.contribution == D("1.9000")


def test_whole_published_department_table_reads_own_rows(tmp_path):
    """附件2 as published is one table for all nine departments, each named once in a merged
    考核部门 cell: a department returning it whole, its own rows filled, is scored on those rows
    (the same texts under other departments are not its items, nor duplicates)."""
    s = __import__("flowscore.rubric", fromlist=["load_rubric"]).load_rubric()[0]
    rows = []
    for dept in (u for u in s.units if u.tier == "部门"):
        for i, it in enumerate(s.sheet(dept.sheet).items):
            mine = dept.name == "区医保局"
            name = "\n".join(dept.name) if i == 0 else None
            rows.append(
                (
                    name,
                    it.text,
                    it.max_label,
                    it.max if mine else None,
                    it.max if mine and i else None,
                )
            )
    published_annex(
        tmp_path / "附件2.xlsx",
        unit="区医保局",
        seal="部门(盖章)",
        rows=rows,
        header=("考核部门", "考    核    内    容", "得分", "自评分", "核定分"),
    )
    indicator_book(tmp_path / "i.xlsx", {"区医保局": {"未报备发文数": 1}}, columns=["未报备发文数"])
    r = compute_folder(tmp_path)
    u = r.unit("区医保局")
    assert [i.verified for i in u.items] == [D(5), D(40), D(25), D(25)]
    assert not [f for f in r.report if f.unit == "区医保局" and f.code != "computed-differs"]


def test_ceiling_assessor_item(tmp_path):
    s = __import__("flowscore.rubric", fromlist=["load_rubric"]).load_rubric()[0]
    rows = [
        (it.no, it.text, it.max_label, None, 25 if it.no == 1 else None)
        for it in s.sheet("dept-police").items
    ]
    published_annex(tmp_path / "police.xlsx", unit="海曙公安分局", seal="部门(盖章)", rows=rows)
    indicator_book(
        tmp_path / "i.xlsx",
        {"海曙公安分局": {**EXAMPLE, "未报备发文数": 2}},
        columns=list(EXAMPLE),
        ranking=[("海曙公安分局", 1, 1)],
    )
    r = compute_folder(tmp_path)
    one = item(r, "海曙公安分局", 1)
    # “机构发文未按要求报备的，每发现1件扣5分”: two unreported documents fix the ceiling at 20; a
    # 核定分 of 25 without a reason does not undo that deduction.
    assert one.verified == D(20) and one.computed == D(20) and one.source == "computed"
    assert "above-ceiling" in codes(r, "海曙公安分局")
    assert item(r, "海曙公安分局", 3).verified == D("25.00")  # 30 − 2.5 − 2.5
    assert item(r, "海曙公安分局", 7).verified == D(20)


def test_input_files_are_not_modified(folder):
    import hashlib

    def digest():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    before = digest()
    compute_folder(folder)
    assert digest() == before


def test_lock_files_skipped(folder):
    wb = openpyxl.Workbook()
    wb.save(folder / "~$yuehu.xlsx")
    r = compute_folder(folder)
    assert "lock-file" in codes(r)
    assert r.unit("月湖街道").status == "final"


def test_parallel_and_serial_reading_give_identical_scores(tmp_path, monkeypatch):
    import flowscore.parallel

    towns = ["月湖街道", "西门街道", "江厦街道", "南门街道", "鼓楼街道", "集士港镇", "古林镇"]
    inds = {}
    for i, unit in enumerate(towns):
        published_annex(
            tmp_path / f"{i}.xlsx",
            unit=unit,
            rows=town_rows(verified=(None, None, None, 10 + i, 4, 5)),
        )
        inds[unit] = {**EXAMPLE, "未报备发文数": i % 3, "年度新增参加量化积分人数": 100 + (i % 4)}
    indicator_book(tmp_path / "i.xlsx", inds)
    serial = compute_folder(tmp_path, jobs=1)
    monkeypatch.setattr(flowscore.parallel, "SERIAL_BELOW", 0)
    parallel = compute_folder(tmp_path, jobs=2)
    assert serial.units == parallel.units
    assert serial.report.to_list() == parallel.report.to_list()


SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.mark.parametrize("sample", ["haishu-2019", "beilun", "province-2013", "duplicates"])
def test_records_from_workers_score_as_records_read_here(sample, tmp_path, monkeypatch):
    # From worker processes the annex sheets arrive packed and are unpacked unit by unit as
    # they are scored: the merged field-inspection sheets (province-2013) and a unit with two
    # sheets must come out exactly as when every record was read in this process.
    import flowscore.parallel

    if sample == "duplicates":
        folder = tmp_path
        published_annex(folder / "a.xlsx", unit="月湖街道", rows=town_rows())
        published_annex(folder / "b.xlsx", unit="月湖街道", rows=town_rows(verified=(1,) * 6))
        published_annex(folder / "c.xlsx", unit="西门街道", rows=town_rows())
        indicator_book(folder / "i.xlsx", {"月湖街道": EXAMPLE, "西门街道": EXAMPLE})
    else:
        folder = SAMPLES / sample
    serial = compute_folder(folder, jobs=1)
    monkeypatch.setattr(flowscore.parallel, "SERIAL_BELOW", 0)
    parallel = compute_folder(folder, jobs=2)
    assert serial.units == parallel.units
    assert serial.report.to_list() == parallel.report.to_list()
    if sample == "province-2013":
        assert any(i.assessor for u in parallel.units for i in u.items)
    if sample == "duplicates":
        assert "duplicate-unit" in codes(parallel)


@pytest.mark.skipif(not hasattr(__import__("os"), "symlink"), reason="no symlinks here")
def test_a_file_linked_from_outside_the_folder_is_read_under_its_link_name(tmp_path):
    # Before: resolving the link and taking it relative to the folder was an internal error.
    inside = tmp_path / "提交"
    inside.mkdir()
    published_annex(
        tmp_path / "elsewhere.xlsx",
        unit="月湖街道",
        rows=town_rows(verified=(None, None, None, 13.25, 5, 5)),
    )
    (inside / "月湖街道.xlsx").symlink_to(tmp_path / "elsewhere.xlsx")
    indicator_book(inside / "指标.xlsx", {"月湖街道": {**EXAMPLE, "未报备发文数": 0}})
    result = compute_folder(inside)
    assert result.unit("月湖街道").total == D("93.25")
    assert result.unit("月湖街道").file == "月湖街道.xlsx"
