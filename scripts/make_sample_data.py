"""Regenerate ``sample_data/haishu-2019/``: a complete, believable 2019 for Haishu.

    .venv/bin/python scripts/make_sample_data.py            # into sample_data/haishu-2019
    .venv/bin/python scripts/make_sample_data.py --out DIR  # somewhere else

What it makes (``README.md`` in the folder says it in Chinese, with every deliberate problem):
23 annex sheets built from ``flowscore.template`` and filled in as units and the office would;
3 sheets typed by hand in the published layout (古林镇, 鄞江镇, 区住建局), as a clerk makes them
without the template; ``指标数据.xlsx`` (indicators and the city's ranking); ``加减分登记.xlsx``
(bonus and penalty entries, in a workbook of their own).

Everything is deterministic: a fixed seed, fixed document dates, and zip entries with a fixed
timestamp, so a rerun gives byte-identical files and ``git diff`` shows only real changes.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

from flowscore.atomic import replace_dir_atomic
from flowscore.contract import REGISTER_NAME
from flowscore.rubric import load_rubric
from flowscore.rubric.model import Scheme, Sheet
from flowscore.template import (
    ENTRIES_SHEET,
    INDICATOR_FILENAME,
    INDICATOR_SHEET,
    RANKING_SHEET,
    annex_filename,
    annex_layout,
    build_annex_workbook,
    build_indicator_workbook,
)
from flowscore.template_register import REGISTER_SHEET, build_register_workbook, item_choice

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "sample_data" / "haishu-2019"
SEED = 20191210
FIXED_TIME = datetime(2019, 12, 10, 9, 0, 0)
ZIP_TIME = (2019, 12, 10, 9, 0, 0)
ENTRIES_FILENAME = "加减分登记.xlsx"

Value = int | float | str | None


@dataclass
class Row:
    """What one unit typed on one row of its sheet."""

    self_score: Value = None
    verified: Value = None
    remark: str | None = None


@dataclass
class Filled:
    """A unit's filled-in sheet: item rows by number, plus the bonus and penalty rows."""

    items: dict[str, Row] = field(default_factory=dict)
    bonus: Row = field(default_factory=Row)
    penalty: Row = field(default_factory=Row)


# -- the year's statistics -----------------------------------------------------------------------

# 居住半年以上流动人口数 by town: industrial B-tier towns carry most of the migrants.
POPULATION = {
    "月湖街道": 9800,
    "西门街道": 12600,
    "江厦街道": 8400,
    "南门街道": 10000,
    "鼓楼街道": 6900,
    "白云街道": 15300,
    "望春街道": 21700,
    "段塘街道": 18200,
    "集士港镇": 38500,
    "古林镇": 41260,
    "高桥镇": 29800,
    "洞桥镇": 11400,
    "石碶街道": 45900,
    "横街镇": 13700,
    "鄞江镇": 6200,
    "章水镇": 4100,
    "龙观乡": 5300,
}
UNREPORTED = {"高桥镇": 1, "段塘街道": 2, "横街镇": 3, "区市场监管局": 1}
NO_POINTS_WINDOW = {"章水镇"}
# DOMAIN.md §6: 27.5% (−2.50), 7.5% (−2.50), 40% (0) → item 2 = 35.00.
WORKED_EXAMPLE_TOWN = "南门街道"
WORKED_EXAMPLE = {
    "居住半年以上流动人口数": 10000,
    "居住证申领数": 2750,
    "本年度居住证新申领数": 800,
    "电子居住证申领数": 60,
    "本年度新登记流动人口数": 3000,
    "电子居住登记凭证申领数": 1200,
}
# Two towns with exactly the same 量化积分参与率 (5%): a real tie for the rank points.
TIE = {"月湖街道": (210, 4200), "集士港镇": (840, 16800)}
TEXT_GROUPED = ("古林镇", "居住半年以上流动人口数")  # typed as "41,260"
TEXT_FULLWIDTH = ("鼓楼街道", "电子居住证申领数")  # typed in full-width digits
RANKING = [
    ("海曙公安分局", 3, None),
    ("区教育局", 2, 2),
    ("区人力社保局", 5, None),
    ("区卫生健康局", 7, None),
    ("区总工会", 1, None),
]
ENTRIES = [
    ("月湖街道", "加分", "流动党员服务", 10, "“红色驿站”流动党员服务做法在《海曙信息》刊登"),
    ("月湖街道", "加分", "流动党员服务", 8, "同一做法被《宁波日报》正面报道"),
    ("集士港镇", "加分", "出租房屋旅馆式管理", 15, "出租房屋“旅馆式”管理经验获市领导批示肯定"),
    ("石碶街道", "加分", "新居民融合", 5, "“新石碶人”融合活动被浙江新闻客户端正面报道"),
    ("望春街道", "加分", "量化积分申评服务", 8, "积分申评“一窗通办”获区级创新项目奖"),
    ("海曙公安分局", "加分", "居住证便民办理", 10, "居住证“掌上办”做法获省公安厅通报表扬"),
    ("区人力社保局", "加分", "外来务工人员技能提升", 5, "技能提升行动做法在《海曙信息》刊登"),
    ("高桥镇", "减分", "群租房消防安全", 5, "辖区群租房火灾隐患被市消防安全委员会通报批评"),
    ("洞桥镇", "减分", "劳资纠纷", 10, "发生涉及流动人口的劳资纠纷群体性事件，影响区域稳定"),
    ("区市场监管局", "减分", "无证无照经营整治", 5, "整治宣传不到位引发投诉，被市局通报批评"),
]


# The office's register (核定登记表.xlsx): verified scores entered over the days of checking.
# (unit, item, score, reason, who, date) — the item as the list shows it, or a 序号 typed by
# hand; the date as an Excel date or as text, as people type it.
REGISTER = [
    (
        "段塘街道",
        "list",
        "5",
        4.5,
        "复核公共服务台账，维持评分表上的核定分",
        "王敏",
        datetime(2019, 12, 16),
    ),
    ("段塘街道", "typed", "5", 4.5, "复核后与王敏核定一致", "李强", "2019年12月17日"),
    (
        "江厦街道",
        "list",
        "4",
        15,
        "复核出租房屋管理台账，问题已整改到位，不扣分",
        "李强",
        "2019年12月18日",
    ),
    (
        "横街镇",
        "typed",
        "1",
        3,
        "经核实，其中2份文件已于年中补报，按未报备1件计（5 − 2 = 3）",
        "王敏",
        datetime(2019, 12, 19),
    ),
]


def register_workbook(scheme: Scheme) -> Workbook:
    wb = build_register_workbook(scheme)
    ws = wb[REGISTER_SHEET]
    for r, (unit, how, no, score, reason, who, date) in enumerate(REGISTER, start=3):
        item = scheme.sheet(scheme.unit(unit).sheet).item(no)
        shown = item_choice(item) if how == "list" else int(no)
        for c, value in enumerate((unit, shown, score, reason, who, date), start=1):
            ws.cell(row=r, column=c, value=value)
    return wb


def indicator_rows(scheme: Scheme, rng: random.Random) -> dict[str, dict[str, Value]]:
    """Every unit's indicator values, as typed into the 指标 sheet."""
    rows: dict[str, dict[str, Value]] = {}
    totals = dict.fromkeys(WORKED_EXAMPLE, 0)
    for unit in scheme.units_of_sheet("towns"):
        row = _town_indicators(unit.name, rng)
        for k in totals:
            totals[k] += int(row[k])
        rows[unit.name] = row
    # Counts typed as text, as people do: a thousands separator, full-width digits.
    name, key = TEXT_GROUPED
    rows[name][key] = f"{int(rows[name][key]):,}"
    name, key = TEXT_FULLWIDTH
    rows[name][key] = _fullwidth(int(rows[name][key]))
    # The police hold the district's registration system: its totals run a little above the
    # towns' sum (people registered at district level, not yet assigned to a town).
    rows["海曙公安分局"] = {"未报备发文数": 0, **{k: round(v * 1.04) for k, v in totals.items()}}
    for unit in scheme.units:
        rows.setdefault(unit.name, {"未报备发文数": UNREPORTED.get(unit.name, 0)})
    rows["区教育局"]["未报送统计数据次数"] = 1
    return rows


def _town_indicators(name: str, rng: random.Random) -> dict[str, Value]:
    pop = POPULATION[name]
    permits = round(pop * rng.uniform(0.24, 0.38))
    new_permits = round(permits * rng.uniform(0.25, 0.45))
    e_permits = round(new_permits * rng.uniform(0.06, 0.18))
    new_reg = round(pop * rng.uniform(0.25, 0.45))
    e_reg = round(new_reg * rng.uniform(0.20, 0.50))
    holders = round(permits * rng.uniform(0.85, 1.0))
    joined = round(holders * rng.uniform(0.02, 0.09))
    row: dict[str, Value] = {
        "未报备发文数": UNREPORTED.get(name, 0),
        "居住半年以上流动人口数": pop,
        "居住证申领数": permits,
        "本年度居住证新申领数": new_permits,
        "电子居住证申领数": e_permits,
        "本年度新登记流动人口数": new_reg,
        "电子居住登记凭证申领数": e_reg,
        "量化积分窗口专人负责": "否" if name in NO_POINTS_WINDOW else "是",
        "年度新增参加量化积分人数": joined,
        "持证数": holders,
    }
    if name == WORKED_EXAMPLE_TOWN:
        row.update(WORKED_EXAMPLE)
    if name in TIE:
        row["年度新增参加量化积分人数"], row["持证数"] = TIE[name]
    return row


def _fullwidth(n: int) -> str:
    return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


# -- the year's score sheets ---------------------------------------------------------------------

# What each department expects from the city's ranking when it fills in its self score.
EXPECTED_RANK_POINTS = {
    "海曙公安分局": 12,
    "区教育局": 16,
    "区人力社保局": 4,
    "区卫生健康局": -8,
    "区总工会": 20,
}


def filled_sheet(scheme: Scheme, unit: str, rng: random.Random) -> Filled:
    """A plausible filling: self scores near the max, 核定分 on the assessor-scored items."""
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    filled = Filled()
    for item in sheet.items:
        if item.is_adjustment:
            filled.items[str(item.no)] = Row(self_score=EXPECTED_RANK_POINTS[unit])
            continue
        mx = int(item.max)
        self_score = _num(mx - rng.choice(_steps(mx, generous=True)))
        row = Row(self_score=self_score)
        if item.mode in ("assessor", "ceiling_assessor"):
            verified = mx - rng.choice(_steps(mx, generous=False))
            row.verified = _num(min(Decimal(str(verified)), Decimal(str(self_score))))
        filled.items[str(item.no)] = row
    return filled


def _steps(mx: int, *, generous: bool) -> list[float]:
    """Points below the max a unit claims (generous) or the office takes off."""
    if generous:
        return [0, 0, 0, 0, 0.5] if mx <= 10 else [0, 0, 0, 1, 2]
    if mx <= 5:
        return [0, 0, 0.5, 0.5, 1]
    if mx <= 15:
        return [0, 0.5, 1, 1.5, 2]
    return [0, 1, 1, 2, 3, 4]


def _num(v: float | int | Decimal) -> int | float:
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() else float(d)


def apply_problems(sheets: dict[str, Filled]) -> None:
    """The everyday problems the checks exist for (listed in README.md)."""
    # Self score above the max: without a reason (flagged), and with one (allowed).
    sheets["西门街道"].items["4"].self_score = 16
    sheets["江厦街道"].items["5"].self_score = 6
    sheets["江厦街道"].items["5"].remark = "“一站式”服务大厅获评市级“最多跑一次”示范窗口，申请加分"
    # An assessor item without 核定分: pending, the unit's total provisional.
    sheets["白云街道"].items["6"].verified = None
    # Numbers typed as text: full-width digits, and spaces around a decimal.
    sheets["望春街道"].items["4"].self_score = "１４"
    sheets["望春街道"].items["4"].verified = 13.5
    sheets["段塘街道"].items["5"].verified = " 4.5 "
    # 核定分 typed on computed items: with a reason (override) and without (computed stands).
    sheets["区医保局"].items["1"].verified = 8
    sheets["区医保局"].items["1"].remark = "经核查，1份医保政策发文报备材料不全，酌情扣2分"
    sheets["区教育局"].items["1"].verified = 20
    # A ceiling item: one unreported document caps 区市场监管局 item 1 at 25.
    sheets["区市场监管局"].items["1"].self_score = 30
    sheets["区市场监管局"].items["1"].verified = 24
    # Units claiming their bonus on the sheet (the office counts the 加减分登记 entries).
    sheets["月湖街道"].bonus = Row(self_score=10, remark="“红色驿站”做法被《海曙信息》刊登")
    sheets["集士港镇"].bonus = Row(self_score=15, remark="出租房屋“旅馆式”管理经验获市领导批示")


# -- writing the workbooks -----------------------------------------------------------------------

HAND_MADE = {
    # unit: (file name, seal line names the unit?, has a 备注 column?)
    "古林镇": ("古林镇-附件1.xlsx", True, False),
    "鄞江镇": ("鄞江镇2019年度流动人口服务管理考核自评表.xlsx", False, True),
    "区住建局": ("附件2 评分表（住建）.xlsx", True, True),
}
HAND_SEAL_NAME = {"区住建局": "海曙区住建局"}  # the clerk wrote the long form (an alias)


def fill_template(scheme: Scheme, unit: str, filled: Filled) -> Workbook:
    wb = build_annex_workbook(scheme, unit)
    ws = wb.active
    layout = annex_layout(scheme.sheet(scheme.unit(unit).sheet))
    rows = [(layout.item_rows[no], row) for no, row in filled.items.items()]
    rows += [(layout.bonus_row, filled.bonus), (layout.penalty_row, filled.penalty)]
    for r, row in rows:
        ws.cell(row=r, column=4, value=row.self_score)
        ws.cell(row=r, column=5, value=row.verified)
        ws.cell(row=r, column=6, value=row.remark)
    return wb


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")


def hand_made(scheme: Scheme, unit: str, filled: Filled) -> Workbook:
    """The published layout as an office clerk types it from the Word document: Sheet1, a blank
    row under the title, spaced header labels, ``减分\\n项目`` broken over two lines."""
    _, seal_named, remark_col = HAND_MADE[unit]
    sheet: Sheet = scheme.sheet(scheme.unit(unit).sheet)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    last_letter = "F" if remark_col else "E"
    ws["A1"] = sheet.annex
    ws.merge_cells(f"A2:{last_letter}2")
    ws["A2"] = sheet.title
    ws["A2"].font = Font(name="方正小标宋简体", size=16)
    ws["A2"].alignment = Alignment(horizontal="center")
    seal = f"{sheet.seal_label}：{HAND_SEAL_NAME.get(unit, unit) if seal_named else ''}"
    if unit == "鄞江镇":
        # The whole seal line typed into one merged cell, as in the Word document.
        ws.merge_cells(f"A4:{last_letter}4")
        ws["A4"] = seal + " " * 40 + "评价得分："
    else:
        ws.merge_cells("A4:C4")
        ws["A4"] = seal
        ws["D4"] = "评价得分："
    labels = ["序    号", "考    核    内    容", "分值", "自评分", "核定分"]
    if unit == "区住建局":
        labels = ["序  号", "考 核 内 容", "分 值", "自评分", "核定分"]
    if remark_col:
        labels.append("备    注")
    for c, label in enumerate(labels, start=1):
        ws.cell(row=5, column=c, value=label).border = _BOX
    r = 6
    for item in sheet.items:
        row = filled.items[str(item.no)]
        mx = item.max_label if item.is_adjustment else int(item.max)
        values = [item.no, item.text, mx, row.self_score, row.verified]
        if remark_col:
            values.append(row.remark)
        _typed_row(ws, r, values)
        r += 1
    for label, pool, row in (
        ("加分项目", sheet.bonus, filled.bonus),
        ("减分\n项目", sheet.penalty, filled.penalty),
    ):
        values = [label, pool.text, None, row.self_score, row.verified]
        if remark_col:
            values.append(row.remark)
        _typed_row(ws, r, values)
        r += 1
    r += 1  # a blank row before the notes, as in the document
    for i, note in enumerate(sheet.footnotes):
        ws.cell(row=r + i, column=1, value=("备注：" if i == 0 else "") + note)
    for letter, width in zip("ABCDEF", (7, 60, 8, 8, 8, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    return wb


def _typed_row(ws, r: int, values: list[Value]) -> None:
    for c, v in enumerate(values, start=1):
        cell = ws.cell(row=r, column=c, value=v)
        cell.border = _BOX
        cell.alignment = _WRAP
    # The clerk dragged each row tall enough for the text (about 28 characters a line).
    text = str(values[1] or "")
    lines = sum(math.ceil(max(1, len(part)) / 28) for part in text.split("\n"))
    ws.row_dimensions[r].height = 15 * lines + 4


def indicator_workbook(scheme: Scheme, rows: dict[str, dict[str, Value]]) -> Workbook:
    wb = build_indicator_workbook(scheme)
    ws = wb[INDICATOR_SHEET]
    header = [c.value for c in ws[2]]
    for r in range(3, ws.max_row + 1):
        unit = ws.cell(row=r, column=1).value
        for name, value in rows.get(unit, {}).items():
            ws.cell(row=r, column=header.index(name) + 1, value=value)
    rk = wb[RANKING_SHEET]
    by_unit = {unit: (rank, tied) for unit, rank, tied in RANKING}
    for r in range(3, rk.max_row + 1):
        unit = rk.cell(row=r, column=1).value
        if unit in by_unit:
            rk.cell(row=r, column=2, value=by_unit[unit][0])
            rk.cell(row=r, column=3, value=by_unit[unit][1])
    del wb[ENTRIES_SHEET]  # the entries travel in a workbook of their own
    return wb


def entries_workbook(scheme: Scheme) -> Workbook:
    wb = build_indicator_workbook(scheme)
    del wb[INDICATOR_SHEET]
    del wb[RANKING_SHEET]
    ws = wb[ENTRIES_SHEET]
    for r, entry in enumerate(ENTRIES, start=3):
        for c, value in enumerate(entry, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.properties.title = "2019年度加减分登记"
    wb.properties.subject = "加减分登记"
    return wb


def save_fixed(wb: Workbook, path: Path) -> None:
    """Save with fixed document dates and zip timestamps: reruns are byte-identical."""
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps 'modified' with the current time: put the fixed one back
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)


# -- the whole folder ----------------------------------------------------------------------------


def build(scheme: Scheme) -> dict[str, Workbook]:
    """Every workbook of the sample year, by file name."""
    rng = random.Random(SEED)
    indicators = indicator_rows(scheme, rng)
    sheets = {u.name: filled_sheet(scheme, u.name, rng) for u in scheme.units}
    apply_problems(sheets)
    books: dict[str, Workbook] = {}
    for unit in scheme.units:
        if unit.name in HAND_MADE:
            books[HAND_MADE[unit.name][0]] = hand_made(scheme, unit.name, sheets[unit.name])
        else:
            books[annex_filename(scheme, unit.name)] = fill_template(
                scheme, unit.name, sheets[unit.name]
            )
    books[INDICATOR_FILENAME] = indicator_workbook(scheme, indicators)
    books[ENTRIES_FILENAME] = entries_workbook(scheme)
    books[REGISTER_NAME] = register_workbook(scheme)
    return books


def generate(out_dir: Path) -> list[Path]:
    """Write the sample year into ``out_dir`` (replaced whole). Returns the files written."""
    scheme, _ = load_rubric("haishu-2019")
    books = build(scheme)

    def fill(tmp: Path) -> None:
        for name, wb in books.items():
            save_fixed(wb, tmp / name)
        (tmp / "README.md").write_text(readme(), encoding="utf-8")
        tmp.chmod(0o755)  # a temporary folder starts private; the sample is for everyone

    replace_dir_atomic(out_dir, fill)
    return sorted(out_dir.iterdir())


# -- README.md (tables built from rows, so the source keeps to 100 columns) ------------------------

FILES = [
    (
        "`附件1-<单位>.xlsx`（15个）",
        "镇（乡）街道用 `flowscore template` 生成的评分表填写：每项都有自评分，"
        "第4～6项（考核组核定项）有核定分",
    ),
    (
        "`附件2-<单位>.xlsx`（8个）",
        "职能部门用模板填写：每项都有自评分，考核组核定项和“计算上限+核定”项"
        "（第1项报备和量化积分审核）有核定分；市对区考核排名行只有自评分",
    ),
    (
        "`古林镇-附件1.xlsx`",
        "手工制作的附件1（不是模板）：工作表名 `Sheet1`，标题下空一行，表头带空格"
        "（`序    号`、`考    核    内    容`），**没有备注列**，没有文档属性；盖章行写明“古林镇”",
    ),
    (
        "`鄞江镇2019年度流动人口服务管理考核自评表.xlsx`",
        "手工制作的附件1：盖章行**未填单位名称**（`镇（乡）街道(盖章)：`后留空，"
        "与“评价得分：”同在一个合并单元格），单位只出现在文件名中；有备注列，“减分项目”分两行",
    ),
    (
        "`附件2 评分表（住建）.xlsx`",
        "手工制作的区住建局附件2：盖章行写的是别名“海曙区住建局”，"
        "表头为 `序  号`、`考 核 内 容`、`分 值`、`备    注`，文件名不含单位全称",
    ),
    ("`指标数据.xlsx`", "工作表“指标”（各单位统计数据）和“市考排名”（5个部门的市对区考核排名）"),
    ("`加减分登记.xlsx`", "工作表“加减分”：10条加分、减分登记，单独成册（分值一律为正数）"),
    (
        "`核定登记表.xlsx`",
        "流管办的核定登记表（`flowscore template --register` 生成）：4条登记，"
        "写明核定分、理由、核定人和日期，优先于评分表上的核定分",
    ),
]

PROBLEMS = [
    ("西门街道", "第4项自评分", "填 16，高于分值 15，备注为空", "报告“自评分高于分值且未说明理由”"),
    ("江厦街道", "第5项自评分", "填 6，高于分值 5，备注写明加分理由", "允许，不报错"),
    ("白云街道", "第6项核定分", "考核组核定项未填核定分", "该项待核定，单位总分为暂定"),
    ("望春街道", "第4项自评分", "全角数字文本 `１４`", "按 14 读取"),
    ("段塘街道", "第5项核定分", "带空格的文本 ` 4.5 `", "按 4.5 读取"),
    (
        "区医保局",
        "第1项核定分",
        "计算项（工作报备）填了核定分 8，备注写明理由",
        "作为人工调整采用，并标明",
    ),
    (
        "区教育局",
        "第1项核定分",
        "计算项填了核定分 20，没有理由",
        "采用计算值 15（未报送统计数据1次扣5分），报告差异",
    ),
    (
        "区市场监管局",
        "第1项",
        "未报备发文1件，计算上限 25；核定分 24",
        "采用 24；各项分值合计 105（文件原样）",
    ),
    ("古林镇", "指标“居住半年以上流动人口数”", "文本 `41,260`（带千位分隔符）", "按 41260 读取"),
    ("鼓楼街道", "指标“电子居住证申领数”", "全角数字文本", "按半角数字读取"),
    (
        "月湖街道、集士港镇",
        "指标“量化积分参与率”",
        "210/4200 与 840/16800，同为 5%",
        "并列，取所占名次得分的中位数",
    ),
    ("章水镇", "指标“量化积分窗口专人负责”", "填“否”", "第3项不得这10分"),
    ("横街镇", "指标“未报备发文数”", "3件", "第1项 5 − 6 → 0.00（不低于0）"),
    ("高桥镇、段塘街道", "指标“未报备发文数”", "1件、2件", "第1项分别为 3.00、1.00"),
    ("月湖街道", "加减分登记", "同一专题“流动党员服务”两条加分（10、8）", "只按最高的 10 分计"),
    ("月湖街道、集士港镇", "评分表“加分项目”行", "单位在自评分中自报加分", "加分以加减分登记为准"),
    (
        "段塘街道",
        "核定登记表第3、4行",
        "第5项两人各登记一次 4.5（日期一为 Excel 日期，一为文字“2019年12月17日”）",
        "按登记采用 4.5（与评分表相同）；同分重复登记按一次计（提示）",
    ),
    (
        "江厦街道",
        "核定登记表第5行",
        "第4项评分表核定分 14，登记改为 15 并写明理由",
        "采用 15；名次由第6名升为第5名，鼓楼街道降为第6名（警告“名次因登记或改写而变化”）",
    ),
    (
        "横街镇",
        "核定登记表第6行",
        "计算项第1项（计算值 0），登记为 3 并写明理由（手填序号 1）",
        "作为核定改写采用 3，标明核定人、日期和理由",
    ),
]

RESULTS = [
    "南门街道第2项（DOMAIN.md §6 的算例）：居住证申领 2750/10000 = 27.5%，扣2.50；"
    "电子居住证 60/800 = 7.5%，扣2.50；电子居住登记凭证 1200/3000 = 40%，不扣分。"
    "第2项 = 40 − 5.00 = **35.00**。",
    "横街镇第1项：未报备发文 3 件，5 − 6 → **0.00**。",
    "市考排名：区总工会第1名 +20；区教育局与另一区并列第2名（并列数 2）→ "
    "中位数(16, 12) = **+14**；海曙公安分局第3名 +12；区人力社保局第5名 +4；区卫生健康局第7名 −8。",
    "加分：月湖街道 10（另一条同专题 8 分不计）、集士港镇 15、石碶街道 5、望春街道 8、"
    "海曙公安分局 10、区人力社保局 5。",
    "减分：高桥镇 5、洞桥镇 10、区市场监管局 5。",
]


def readme() -> str:
    def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return out

    lines = [
        "# 示例数据：2019年度海曙区流动人口服务管理目标考核",
        "",
        "本文件夹由 `scripts/make_sample_data.py` 生成（固定随机种子和时间，重新生成结果相同），"
        "请勿手工修改；需要改动时修改脚本后运行 `make sample`。"
        "`make demo` 用它演示一次完整的核定、折算和排名。",
        "",
        "数字是虚构的，但量级和分布按海曙区的情况设定；17个镇（乡）街道、9个职能部门全部报送。",
        "",
        "## 文件",
        "",
        *table(("文件", "内容"), FILES),
        "",
        "## 故意设置的问题（演示各项检查）",
        "",
        *table(("单位", "位置", "问题", "应有的处理"), PROBLEMS),
        "",
        "## 可核对的结果",
        "",
        *(f"- {r}" for r in RESULTS),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成海曙区2019年度示例数据")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹")
    args = parser.parse_args(argv)
    written = generate(args.out)
    print(f"已生成 {len(written)} 个文件：{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
