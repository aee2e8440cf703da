"""Regenerate the sample years of the two other schemes: ``sample_data/beilun/`` (北仑区街道,
rubric ``beilun-streets``) and ``sample_data/province-2013/`` (综治委实有人口专项组, rubric
``province-2013``), and — with ``--golden`` — their golden results in ``tests/golden/``.

    .venv/bin/python scripts/make_sample_other.py                 # both, into sample_data/
    .venv/bin/python scripts/make_sample_other.py --only beilun --out DIR
    .venv/bin/python scripts/make_sample_other.py --golden        # and tests/golden/*.json

What each folder holds is in its README.md (Chinese), with every deliberate problem and the
values worked out by hand. In short:

- beilun: 11 streets. 9 sheets made with ``flowscore template`` and filled in; 2 typed after
  the published form (no 序号 column, 考核内容 · 分值 · 评分标准 · 自查分 · 考核分, rows found by
  their 评分标准 text, one of them slightly edited); ``指标数据.xlsx``.
- province-2013: 17 cities' 自查自评 sheets (自评分 only); one field-inspection workbook per
  member department (one worksheet per city, ``检查单位：…`` above the header) holding the
  核定分 of the items the department owns — with one conflict (two departments, two scores for
  六.1 of 青岛市), one score by a department that does not own the item (市教育局 on 五.4 of
  淄博市) and one score the criteria do not allow (一.2 = 4 for 济宁市); ``指标数据.xlsx``.

Deterministic: fixed seeds, fixed document dates and zip timestamps (rerun → same bytes).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Side

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_sample_data import Filled, Row, Value  # noqa: E402  (one definition of a filled sheet)

from flowscore import TEMPLATE_VERSION  # noqa: E402
from flowscore.atomic import replace_dir_atomic  # noqa: E402
from flowscore.rubric import load_rubric  # noqa: E402
from flowscore.rubric.model import Scheme  # noqa: E402
from flowscore.template import (  # noqa: E402
    ENTRIES_SHEET,
    INDICATOR_FILENAME,
    INDICATOR_SHEET,
    PROP_ASSESSOR,
    PROP_SCHEME,
    PROP_VERSION,
    RANKING_SHEET,
    AnnexLayout,
    annex_filename,
    annex_layout,
    build_annex_workbook,
    build_indicator_workbook,
    fill_annex_sheet,
)

SAMPLES = {"beilun": "beilun-streets", "province-2013": "province-2013"}


def _num(v: Decimal | int | float) -> int | float:
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() else float(d)


def fill_rows(ws, layout: AnnexLayout, filled: Filled) -> None:
    s, v, r = (
        layout.letter("self"),
        layout.letter("verified"),
        layout.letter("remark") if layout.col("remark") else None,
    )
    for no, row in filled.items.items():
        at = layout.item_rows[no]
        ws[f"{s}{at}"] = row.self_score
        ws[f"{v}{at}"] = row.verified
        if r and row.remark:
            ws[f"{r}{at}"] = row.remark


def save_fixed(wb: Workbook, path: Path, when: datetime) -> None:
    """Save with fixed document dates and zip timestamps: reruns are byte-identical."""
    wb.properties.created = when
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps 'modified' with the current time: put the fixed one back
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    zip_time = when.timetuple()[:6]
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=zip_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)


def fill_indicators(
    scheme: Scheme, rows: dict[str, dict[str, Value]], percent: set[str] = frozenset()
) -> Workbook:
    """The office's indicator workbook with ``rows`` typed in (rates as 0.965 formatted 96.5%)."""
    wb = build_indicator_workbook(scheme)
    ws = wb[INDICATOR_SHEET]
    header = [c.value for c in ws[2]]
    for r in range(3, ws.max_row + 1):
        unit = ws.cell(row=r, column=1).value
        for name, value in rows.get(unit, {}).items():
            cell = ws.cell(row=r, column=header.index(name) + 1, value=value)
            if name in percent and isinstance(value, float):
                cell.number_format = "0.0%"
    del wb[ENTRIES_SHEET]  # neither scheme has bonus/penalty entries or a city ranking
    del wb[RANKING_SHEET]
    return wb


def readme_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


# =============================================================================================
# Beilun

BEILUN_TIME = datetime(2020, 1, 10, 9, 0, 0)
BEILUN_SEED = 20200110

# The statistics every street reports (the district office's 指标 sheet); then each street's
# deviations, chosen so the README's worked values can be checked by hand.
BEILUN_BASE: dict[str, Value] = {
    "季度工作未落实次数": 0,
    "基层基础建设落实": "是",
    "录用信息篇数": 8,
    "录用典型经验信息篇数": 2,
    "业务培训次数": 2,
    "出租房屋供应量": 0,
    "上年度出租房屋供应量": 0,
    "流动人口数": 0,
    "融合组织会员数": 0,
    "骨干会员数": 0,
    "执法检查未开展项数": 0,
    "信息登记率": 0.968,
    "信息准确率": 0.935,
    "出租房屋登记率": 0.957,
    "计划生育未落实项数": 0,
    "培训人数": 0,
    "知识竞赛期数": 1,
    "招聘专场次数": 2,
    "法制安全培训开展": "是",
    "人文关怀活动开展": "是",
    "一类疫苗接种率": 0.912,
    "市级媒体发表篇数": 0,
    "省级媒体发表篇数": 0,
    "国家级媒体发表篇数": 0,
    "区主要领导批示数": 0,
    "市领导批示数": 0,
    "省领导批示数": 0,
    "中央领导批示数": 0,
}
# 流动人口数 by street (the industrial streets carry most migrants)
BEILUN_POPULATION = {
    "新碶街道": 98000,
    "小港街道": 46000,
    "大碶街道": 52000,
    "霞浦街道": 31000,
    "柴桥街道": 27000,
    "戚家山街道": 24000,
    "春晓街道": 12000,
    "梅山街道": 9000,
    "郭巨街道": 8000,
    "白峰街道": 11000,
    "大榭街道": 15000,
}
BEILUN_DEVIATIONS: dict[str, dict[str, Value]] = {
    # item 3: 14 × 0.5 + 4 × 1 = 11 → the item's max 10.00
    "新碶街道": {"录用信息篇数": 14, "录用典型经验信息篇数": 4, "市级媒体发表篇数": 1},
    # item 9: 93.5% < 95, 88% < 90, 90% < 95 → 7 − 12 → 0.00 (floor)
    "小港街道": {"信息登记率": 0.935, "信息准确率": 0.88, "出租房屋登记率": 0.9},
    # item 4: 1 training, 2 required → 6 − 2 = 4.00; item 6: 4800/52000 = 9.23% < 10% → −5,
    # 1500/4800 = 31.25% ≥ 30% → item 6 = 5.00
    "大碶街道": {"业务培训次数": 1, "融合组织会员数": 4800, "骨干会员数": 1500},
    # item 5: supply 8200 < last year's 8500 → ceiling 3; the assessor takes 1 more (登记点)
    "霞浦街道": {"出租房屋供应量": 8200, "上年度出租房屋供应量": 8500},
    # item 5: supply fell, 考核分 blank → the computed 3.00 stands
    "柴桥街道": {"出租房屋供应量": 5100, "上年度出租房屋供应量": 5300},
    # 创新1: 2 × 2 + 1 × 5 + 1 × 2 + 1 × 4 = 15; 创新2: the assessor's 3 → bonus 18
    "戚家山街道": {
        "市级媒体发表篇数": 2,
        "省级媒体发表篇数": 1,
        "区主要领导批示数": 1,
        "市领导批示数": 1,
    },
    # item 13: training 3000/12000 = 25% < 30% → −3, no contest → −3, 2 job fairs → 4.00
    "春晓街道": {"培训人数": 3000, "知识竞赛期数": 0},
    # item 16: 83% < 85% → 0.00; item 13 computed 10, the assessor 8 (落实不力)
    "梅山街道": {"一类疫苗接种率": 0.83},
    # item 1: 2 quarters not done → 4.00; item 2: 否 → 6.00
    "郭巨街道": {"季度工作未落实次数": 2, "基层基础建设落实": "否"},
    # typed as text, as people do: a percent sign, a thousands separator
    "白峰街道": {"信息登记率": "97.2%", "流动人口数": "11,000"},
}
# Items whose assessor checks duties the office has no figure for (6: 会员在微志愿上信息齐全;
# 16: 电子健康档案 and two more): the 考核分 is the computed ceiling unless a duty was unmet.
BEILUN_CHECKED = {"6": 10, "16": 2}
# The assessor's 考核分 on the 酌情扣分 items (7, 11, 12), the checked ones and the optional ones.
BEILUN_ASSESSOR: dict[str, dict[str, Value]] = {
    "霞浦街道": {"5": 2},
    "戚家山街道": {"创新2": 3},
    "梅山街道": {"13": 8, "16": 0},  # 16: the vaccination rate already takes the 2 points
    "大碶街道": {"6": 5},  # members 9.23% < 10%: ceiling 5
    "柴桥街道": {"6": 5},  # 微志愿 records incomplete: −5
    "郭巨街道": {"16": 0},  # no 电子健康档案: −2
}
BEILUN_REMARKS = {
    ("霞浦街道", "5"): "两个出租房屋登记点台账不规范，酌情扣1分",
    ("梅山街道", "13"): "技能培训落实不力，酌情扣2分",
    ("戚家山街道", "创新2"): "“新北仑人”融合做法在区级以上作为典型经验推广",
    ("柴桥街道", "6"): "抽查会员在微志愿上的信息，三成不全，扣5分",
    ("郭巨街道", "16"): "未建立流动人口电子健康档案，扣2分",
}
BEILUN_HAND_MADE = {
    # unit: (file name, seal line typed?)
    "白峰街道": ("白峰街道流动人口服务管理考核自查表.xlsx", False),
    "大榭街道": ("附件1 评分细则（大榭）.xlsx", True),
}
BEILUN_PENDING = ("大榭街道", "11")  # 考核分 left blank on an assessor item: provisional


def beilun_indicators(scheme: Scheme) -> dict[str, dict[str, Value]]:
    rows = {}
    for unit in scheme.units:
        pop = BEILUN_POPULATION[unit.name]
        row = dict(BEILUN_BASE)
        # members 12% of the migrants, core members 35% of the members, training 40%
        row.update(
            {
                "流动人口数": pop,
                "融合组织会员数": pop * 12 // 100,
                "骨干会员数": pop * 12 // 100 * 35 // 100,
                "培训人数": pop * 40 // 100,
                "出租房屋供应量": pop // 10,
                "上年度出租房屋供应量": pop // 10 - 200,
            }
        )
        row.update(BEILUN_DEVIATIONS.get(unit.name, {}))
        rows[unit.name] = row
    return rows


def beilun_filled(scheme: Scheme, unit: str, rng: random.Random) -> Filled:
    sheet = scheme.sheet(scheme.unit(unit).sheet)
    filled = Filled()
    for item in sheet.items:
        mx = int(item.max)
        if item.extra:
            row = Row()
        else:
            row = Row(self_score=_num(mx - rng.choice([0, 0, 0, 0.5, 1])))
        if item.mode == "assessor" and not item.assessor_optional:
            row.verified = _num(mx - rng.choice([0, 0, 0.5, 1]))
        if str(item.no) in BEILUN_CHECKED:
            row.verified = BEILUN_CHECKED[str(item.no)]
        filled.items[str(item.no)] = row
    for no, value in BEILUN_ASSESSOR.get(unit, {}).items():
        filled.items[no].verified = value
    for (u, no), text in BEILUN_REMARKS.items():
        if u == unit:
            filled.items[no].remark = text
    if unit == "新碶街道":
        filled.items["3"].self_score = 12  # above the max, no reason: flagged
    if unit == "戚家山街道":
        filled.items["创新1"].self_score = 15
        filled.items["创新2"].self_score = 5
    if unit == BEILUN_PENDING[0]:
        filled.items[BEILUN_PENDING[1]].verified = None
    return filled


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")

# 白峰街道's clerk retyped two criteria with small changes (a word dropped, a comma changed):
# the rows must still be recognised.
BEILUN_EDITS = {
    "白峰街道": {
        "7": ("为企业发展提供人力资源支撑，", "为企业发展提供人力资源支撑,"),
        "15": ("办好假日学校，", ""),
    },
}


def beilun_hand_made(scheme: Scheme, unit: str, filled: Filled) -> Workbook:
    """The published form as an office types it from the Word document: no 序号, the category
    and its points in their own columns on the category's first row, 分值 spread over two
    columns, 自查\\n分 and 考核\\n分 broken over two lines, the header repeated where page 2
    starts, and no 备注 column."""
    _, seal = BEILUN_HAND_MADE[unit]
    sheet = scheme.sheet("streets")
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "附件1："
    ws.merge_cells("A2:F2")
    ws["A2"] = sheet.title
    ws["A2"].alignment = Alignment(horizontal="center")
    r = 3
    if seal:
        ws.cell(row=r, column=1, value=f"街道（盖章）：{unit}")
        r += 1
    header = ["考核内容", "分值", None, "评分标准", "自查\n分", "考核\n分"]

    def put_header(at: int) -> None:
        for c, label in enumerate(header, start=1):
            ws.cell(row=at, column=c, value=label).border = _BOX
        ws.merge_cells(start_row=at, start_column=2, end_row=at, end_column=3)

    put_header(r)
    r += 1
    cats = {c.name: c for c in sheet.categories}
    seen: set[str] = set()
    edits = BEILUN_EDITS.get(unit, {})
    for item in sheet.items:
        if str(item.no) == "10":  # page 2 of the Word table starts here: the header again
            put_header(r)
            r += 1
            seen.discard("管理工作")  # …and the category name again
        first = item.category and item.category not in seen
        seen.add(item.category)
        text = item.text
        if str(item.no) in edits:
            old, new = edits[str(item.no)]
            text = text.replace(old, new)
        row = filled.items[str(item.no)]
        if item.extra:
            cat = "创新工作" if str(item.no) == "创新1" else None
            values = [cat, "加分项" if cat else None, None, text, row.self_score, row.verified]
        else:
            values = [
                item.category if first else None,
                _num(cats[item.category].max) if first else None,
                _num(item.max),
                text,
                row.self_score,
                row.verified,
            ]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = _BOX
            cell.alignment = _WRAP
        ws.row_dimensions[r].height = 15 * (len(text) // 30 + 1) + 4
        r += 1
    for letter, width in zip("ABCDEF", (10, 6, 6, 60, 7, 7), strict=True):
        ws.column_dimensions[letter].width = width
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    return wb


def build_beilun(scheme: Scheme) -> dict[str, Workbook]:
    rng = random.Random(BEILUN_SEED)
    books: dict[str, Workbook] = {}
    for unit in scheme.units:
        filled = beilun_filled(scheme, unit.name, rng)
        if unit.name in BEILUN_HAND_MADE:
            books[BEILUN_HAND_MADE[unit.name][0]] = beilun_hand_made(scheme, unit.name, filled)
            continue
        wb = build_annex_workbook(scheme, unit.name)
        fill_rows(wb.active, annex_layout(scheme.sheet(unit.sheet)), filled)
        books[annex_filename(scheme, unit.name)] = wb
    rates = {i.name for i in scheme.indicators if i.kind == "rate"}
    books[INDICATOR_FILENAME] = fill_indicators(scheme, beilun_indicators(scheme), rates)
    return books


BEILUN_README = """\
# 示例数据：北仑区街道流动人口服务管理考核

本文件夹由 `scripts/make_sample_other.py` 生成（固定随机种子和时间，重新生成结果相同），请勿手工修改。
评分细则为内置的 `beilun-streets`（`flowscore/rubrics/beilun-streets.toml`）；
考核文件未注明年度，数字均为虚构。

    flowscore compute sample_data/beilun            # 按评分表中记录的细则自动识别
    flowscore compute sample_data/beilun --rubric beilun-streets

考核文件没有规定类别和基本分：11个街道同属一类，基本分100，折算得分即评价得分。

## 文件

{files}

## 故意设置的问题和特殊情况

{problems}

## 可核对的结果（手算）

{results}
"""

BEILUN_FILES = [
    (
        "`附件1-<街道>.xlsx`（9个）",
        "用 `flowscore template --rubric beilun-streets` 生成的评分表填写：列名与文件相同"
        "（考核内容、分值、评分标准、自查分、考核分），另加序号和备注；分类行带自查分小计公式",
    ),
    (
        "`白峰街道流动人口服务管理考核自查表.xlsx`",
        "按文件原样手工制作：**没有序号列**，各行按“评分标准”文字识别；其中两行文字与文件略有出入"
        "（第7项一个逗号改为半角，第15项少了“办好假日学校，”），仍能识别；盖章栏没有，单位按文件名认定",
    ),
    (
        "`附件1 评分细则（大榭）.xlsx`",
        "按文件原样手工制作，盖章行写明单位；第二页开头重复了表头和“管理工作”",
    ),
    ("`指标数据.xlsx`", "工作表“指标”：各街道的统计数据（比率按百分数填写）"),
]
BEILUN_PROBLEMS = [
    (
        "新碶街道",
        "第3项自查分",
        "填 12，高于分值 10，未说明理由",
        "报告“自评分高于分值且未说明理由”",
    ),
    ("大榭街道", "第11项考核分", "酌情扣分项未填考核分", "该项待核定，该街道得分为暂定"),
    ("白峰街道", "指标", "比率写成文本 `97.2%`，人数写成 `11,000`", "按 97.2%、11000 读取"),
    (
        "霞浦街道",
        "第5项",
        "出租房屋供应量少于上年（计算扣3分），考核组另扣1分并写明理由",
        "采用考核分 2（不高于计算上限 3）",
    ),
    ("柴桥街道", "第5项", "出租房屋供应量少于上年，考核分留空", "采用计算值 3（考核组未另行扣分）"),
    ("梅山街道", "第13项", "三项指标均完成（计算 10 分），考核组以“落实不力”填 8", "采用 8"),
    (
        "戚家山街道",
        "创新工作",
        "市级媒体2篇、省级1篇、区主要领导和市领导批示各1次；典型经验推广由考核组加3分",
        "加分 15 + 3 = 18，计入评价得分（可超过100）",
    ),
]
BEILUN_RESULTS = [
    "新碶街道第3项：录用信息 14 篇 × 0.5 + 典型经验 4 篇 × 1 = 11，最高得10分 → **10.00**。",
    "小港街道第9项：信息登记率 93.5% < 95%、信息准确率 88% < 90%、出租房屋登记率 90% < 95%，"
    "各扣4分：7 − 12 → **0.00**（不低于0）。",
    "大碶街道第4项：业务培训 1 次，少 1 次扣 2 分 → **4.00**；第6项：会员 4800/52000 = 9.23% < 10%"
    " 扣5分，骨干 1500/4800 = 31.25% ≥ 30% → **5.00**。",
    "春晓街道第13项：培训 3000/12000 = 25% < 30% 扣3分，知识竞赛 0 期扣3分，招聘专场 2 次 → **4.00**。",
    "郭巨街道第1项：2 个季度未落实 → 6 − 2 = **4.00**；第2项：基层基础建设未落实 → 8 − 2 = **6.00**。",
    "梅山街道第16项：一类疫苗接种率 83% < 85% → 2 − 2 = **0.00**。",
]


def beilun_readme() -> str:
    return BEILUN_README.format(
        files="\n".join(readme_table(("文件", "内容"), BEILUN_FILES)),
        problems="\n".join(readme_table(("单位", "位置", "情况", "应有的处理"), BEILUN_PROBLEMS)),
        results="\n".join(f"- {r}" for r in BEILUN_RESULTS),
    )


# =============================================================================================
# Province 2013

PROVINCE_TIME = datetime(2014, 2, 10, 9, 0, 0)
PROVINCE_SEED = 20140210

# 城镇/农村流动人口数 by city (协管员人数 follows from PROVINCE_STAFF_RATE).
PROVINCE_POPULATION = {
    "济南市": (400000, 100000),
    "青岛市": (560000, 96000),
    "淄博市": (240000, 50000),
    "枣庄市": (96000, 45000),
    "东营市": (120000, 40000),
    "烟台市": (320000, 80000),
    "潍坊市": (288000, 110000),
    "济宁市": (176000, 90000),
    "泰安市": (112000, 55000),
    "威海市": (144000, 30000),
    "日照市": (80000, 35000),
    "莱芜市": (48000, 20000),
    "临沂市": (240000, 125000),
    "德州市": (96000, 60000),
    "聊城市": (88000, 65000),
    "滨州市": (104000, 45000),
    "菏泽市": (72000, 85000),
}
# 协管员 as a share of the required number (exact: the populations divide evenly)
PROVINCE_STAFF_RATE = {
    "济南市": Decimal("0.90"),
    "烟台市": Decimal("0.80"),
    "菏泽市": Decimal("0.40"),
    "淄博市": Decimal("0.925"),
}
PROVINCE_RIGHTS = {"济南市": 2, "德州市": 5, "聊城市": 1}  # 未落实权益项数
# Section 四 (deduction only), typed by the group office
PROVINCE_SECTION4 = {"潍坊市": {"四.1": -3, "四.2": -4}, "临沂市": {"四.1": -5, "四.2": -5}}
# The conflict, the non-owner score, the score outside the allowed values
CONFLICT = ("青岛市", "六.1", "市人社局", 2)  # the office gives 4
NON_OWNER = ("淄博市", "五.4", "市教育局", 1)  # 五.4 is 市民政局's
NOT_ALLOWED = ("济宁市", "一.2", 4)  # allowed: 5, 3, 2, 0
INSPECTION_FILE = "实地检查评分表（{}）.xlsx"


def province_indicators(scheme: Scheme) -> dict[str, dict[str, Value]]:
    rows = {}
    for unit in scheme.units:
        town, rural = PROVINCE_POPULATION[unit.name]
        required = Decimal(town) / 800 + Decimal(rural) / 500
        rate = PROVINCE_STAFF_RATE.get(unit.name, Decimal("1.02"))
        rows[unit.name] = {
            "协管员人数": int((required * rate).to_integral_value()),
            "城镇流动人口数": town,
            "农村流动人口数": rural,
            "未落实权益项数": PROVINCE_RIGHTS.get(unit.name, 0),
        }
    return rows


def _allowed_score(item, rng: random.Random) -> int:
    """A 核定分 an inspector would give: usually full marks, now and then a deduction step."""
    if item.allowed:
        options = sorted(item.allowed, reverse=True)
        return _num(rng.choice([options[0]] * 5 + options[1:2]))
    return _num(item.max - rng.choice([0, 0, 0, 1]))


def province_scores(scheme: Scheme) -> dict[str, dict[str, dict[str, Value]]]:
    """assessor → city → item → 核定分 (every assessor item owned by the assessor; 六.1 and
    六.2, which have no owner, by the group office)."""
    rng = random.Random(PROVINCE_SEED)
    sheet = scheme.sheet("cities")
    out: dict[str, dict[str, dict[str, Value]]] = {a: {} for a in scheme.assessors}
    for unit in scheme.units:
        for item in sheet.items:
            if item.mode != "assessor":
                continue
            who = item.owner or "专项组办公室"
            if item.assessor_optional:  # section 四: only where something was wrong
                value = PROVINCE_SECTION4.get(unit.name, {}).get(str(item.no))
                if value is None:
                    continue
            else:
                value = _allowed_score(item, rng)
            out[who].setdefault(unit.name, {})[str(item.no)] = value
    city, no, dept, value = CONFLICT
    out["专项组办公室"][city][no] = 4
    out[dept].setdefault(city, {})[no] = value
    city, no, dept, value = NON_OWNER
    out[dept].setdefault(city, {})[no] = value
    city, no, value = NOT_ALLOWED
    out["专项组办公室"][city][no] = value
    return out


def province_self(scheme: Scheme, unit: str, rng: random.Random) -> Filled:
    filled = Filled()
    for item in scheme.sheet("cities").items:
        if item.is_adjustment:
            value: Value = PROVINCE_SECTION4.get(unit, {}).get(str(item.no), 0)
        else:
            value = _num(item.max - rng.choice([0, 0, 0, 0, 1]))
        filled.items[str(item.no)] = Row(self_score=value)
    return filled


def inspection_workbook(
    scheme: Scheme, assessor: str, scores: dict[str, dict[str, Value]]
) -> Workbook:
    """One member department's field-inspection workbook: a worksheet per city it scored."""
    wb = Workbook()
    wb.remove(wb.active)
    for unit in scheme.units:
        if unit.name not in scores:
            continue
        ws = wb.create_sheet(unit.name)
        layout = fill_annex_sheet(ws, scheme, unit.name, assessor=assessor)
        v = layout.letter("verified")
        for no, value in scores[unit.name].items():
            ws[f"{v}{layout.item_rows[no]}"] = value
    wb.properties.title = f"{scheme.title} 实地检查评分（{assessor}）"
    wb.properties.creator = "flowscore"
    for name, value in (
        (PROP_SCHEME, scheme.id),
        (PROP_ASSESSOR, assessor),
        (PROP_VERSION, TEMPLATE_VERSION),
    ):
        wb.custom_doc_props.append(StringProperty(name=name, value=value))
    return wb


def build_province(scheme: Scheme) -> dict[str, Workbook]:
    rng = random.Random(PROVINCE_SEED + 1)
    books: dict[str, Workbook] = {}
    for unit in scheme.units:
        wb = build_annex_workbook(scheme, unit.name)
        fill_rows(
            wb.active, annex_layout(scheme.sheet(unit.sheet)), province_self(scheme, unit.name, rng)
        )
        books[annex_filename(scheme, unit.name)] = wb
    for assessor, scores in province_scores(scheme).items():
        books[INSPECTION_FILE.format(assessor)] = inspection_workbook(scheme, assessor, scores)
    books[INDICATOR_FILENAME] = fill_indicators(scheme, province_indicators(scheme))
    return books


PROVINCE_README = """\
# 示例数据：2013年综治委实有人口专项组考评

本文件夹由 `scripts/make_sample_other.py` 生成（固定随机种子和时间，重新生成结果相同），请勿手工修改。
评分细则为内置的 `province-2013`（`flowscore/rubrics/province-2013.toml`）。数字均为虚构；
名单按山东省2013年的17个设区市（文件隐去了省名，但引用鲁政办发文件）。

    flowscore compute sample_data/province-2013     # 按评分表中记录的细则自动识别
    flowscore compute sample_data/province-2013 --rubric province-2013

按考核程序：各市自查自评（`评分表-<市>.xlsx`，只填自评分）；各成员单位实地检查，
只为本单位负责的项目填核定分（`实地检查评分表（<成员单位>）.xlsx`，每个市一个工作表，
表头上方写“检查单位：…”）；flowscore 汇总时把各成员单位的核定分并入各市的评分表。
100分的评价得分按14分折算：折算得分 = 14 × 评价得分 / 100。

## 文件

{files}

## 故意设置的问题和特殊情况

{problems}

## 可核对的结果（手算）

{results}
"""

PROVINCE_FILES = [
    (
        "`评分表-<市>.xlsx`（17个）",
        "各市用 `flowscore template --rubric province-2013` 生成的自查自评表，只填自评分",
    ),
    (
        "`实地检查评分表（专项组办公室）.xlsx`",
        "专项组办公室的检查评分：文件未标明负责单位的项目，以及六.1、六.2（由专项组和各成员单位共同考核）",
    ),
    ("`实地检查评分表（市财政局）.xlsx`", "二.3、三.3"),
    ("`实地检查评分表（市教育局）.xlsx`", "五.3（另有一处越权评分，见下）"),
    ("`实地检查评分表（市民政局）.xlsx`", "五.4"),
    ("`实地检查评分表（市计生委）.xlsx`", "五.5"),
    ("`实地检查评分表（市人社局）.xlsx`", "五.6（另有一处与专项组办公室不一致的评分，见下）"),
    ("`指标数据.xlsx`", "协管员人数、城镇和农村流动人口数（二.6）、未落实权益项数（三.4）"),
]
PROVINCE_PROBLEMS = [
    (
        "青岛市",
        "六.1",
        "专项组办公室核定 4，市人社局核定 2",
        "报告“核定分不一致”（错误），该项待核定，青岛市得分暂定",
    ),
    (
        "淄博市",
        "五.4",
        "市教育局填了核定分 1，但五.4由市民政局负责",
        "报告“非负责单位评分”（警告），不采用，以市民政局的为准",
    ),
    (
        "济宁市",
        "一.2",
        "核定分 4，评分标准只能得 5、3、2、0",
        "报告“不是评分标准允许的分数”（错误），该项待核定",
    ),
    (
        "潍坊市、临沂市",
        "四.1、四.2（扣分项）",
        "潍坊 −3、−4；临沂 −5、−5",
        "分别扣 7 分、10 分；其他市留空，按不扣分计",
    ),
]
PROVINCE_RESULTS = [
    "济南市二.6：应配协管员 400000 ÷ 800 + 100000 ÷ 500 = 500 + 200 = 700 名，实有 630 名，"
    "配备率 90%，低于100%共10个百分点，每个扣0.1分 → 5 − 1.00 = **4.00**。",
    "烟台市二.6：配备率 80%，扣 2.00 → **3.00**；菏泽市配备率 40%，扣6分超过分值 → **0.00**；"
    "淄博市 370/400 = 92.5%，低 7.5 个百分点，扣 0.75 → **4.25**。",
    "济南市三.4：未落实权益 2 项 → 4 − 2 = **2.00**；德州市 5 项 → **0.00**（不低于0）。",
    "临沂市第四部分：−5 + −5 = **−10.00**（扣分项最多扣10分）。",
    "折算：例如评价得分 93.25，折算得分 = 14 × 93.25 / 100 = 13.055 → **13.0550**（四舍五入到4位小数）。",
]


def province_readme() -> str:
    return PROVINCE_README.format(
        files="\n".join(readme_table(("文件", "内容"), PROVINCE_FILES)),
        problems="\n".join(readme_table(("单位", "项目", "情况", "应有的处理"), PROVINCE_PROBLEMS)),
        results="\n".join(f"- {r}" for r in PROVINCE_RESULTS),
    )


# =============================================================================================

BUILDERS = {
    "beilun": (build_beilun, beilun_readme, BEILUN_TIME),
    "province-2013": (build_province, province_readme, PROVINCE_TIME),
}


def generate(name: str, out_dir: Path) -> list[Path]:
    """Write one sample year into ``out_dir`` (replaced whole). Returns the files written."""
    build, readme, when = BUILDERS[name]
    scheme, _ = load_rubric(SAMPLES[name])
    books = build(scheme)

    def fill(tmp: Path) -> None:
        for file_name, wb in books.items():
            save_fixed(wb, tmp / file_name, when)
        (tmp / "README.md").write_text(readme(), encoding="utf-8")

    replace_dir_atomic(out_dir, fill)
    return sorted(out_dir.iterdir())


def write_golden(name: str, folder: Path) -> Path:
    """tests/golden/<name>.json in the format of scripts/make_golden.py."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_golden import golden

    path = ROOT / "tests" / "golden" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        json.dumps(golden(folder), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成北仑区和省专项组考评的示例数据")
    parser.add_argument("--only", choices=sorted(BUILDERS), help="只生成其中一份")
    parser.add_argument(
        "--out", type=Path, help="输出文件夹（只用于 --only；默认 sample_data/<名称>）"
    )
    parser.add_argument("--golden", action="store_true", help="同时重写 tests/golden/ 中的标准结果")
    args = parser.parse_args(argv)
    if args.out and not args.only:
        parser.error("--out 需要与 --only 一起使用")
    for name in [args.only] if args.only else list(BUILDERS):
        out = args.out or ROOT / "sample_data" / name
        written = generate(name, out)
        print(f"已生成 {len(written)} 个文件：{out}")
        if args.golden:
            print(f"已写入 {write_golden(name, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
