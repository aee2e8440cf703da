"""Small workbook builders for tests: every fixture is made by code, never edited by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl

TOWN_INDICATORS = [
    "未报备发文数",
    "居住半年以上流动人口数",
    "居住证申领数",
    "本年度居住证新申领数",
    "电子居住证申领数",
    "本年度新登记流动人口数",
    "电子居住登记凭证申领数",
    "量化积分窗口专人负责",
    "年度新增参加量化积分人数",
    "持证数",
]

# DOMAIN.md §6 worked example: item 2 = 35.00; 3 unreported documents: item 1 = 0.
EXAMPLE = {
    "未报备发文数": 3,
    "居住半年以上流动人口数": 10000,
    "居住证申领数": 2750,
    "本年度居住证新申领数": 800,
    "电子居住证申领数": 60,
    "本年度新登记流动人口数": 3000,
    "电子居住登记凭证申领数": 1200,
    "量化积分窗口专人负责": "是",
    "年度新增参加量化积分人数": 100,
    "持证数": 1000,
}


def published_annex(
    path: Path,
    *,
    unit: str | None,
    rows: list[tuple],
    seal: str = "镇（乡）街道(盖章)",
    header: tuple = ("序    号", "考  核  内  容", "分值", "自评分", "核定分", "备注"),
    title_rows: int = 2,
    sheet: str = "Sheet1",
    bonus: object = None,
    penalty: object = None,
) -> Path:
    """A sheet as a clerk types it after the published form: title, seal line, header, items.

    ``rows``: (序号, 考核内容, 分值, 自评分, 核定分, 备注) tuples, shorter tuples allowed."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["附件1"])
    ws.append(["2019年度镇（乡）街道流动人口服务管理项目考核评分表"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
    for _ in range(max(0, title_rows - 2)):
        ws.append([])
    ws.append([f"{seal}：{unit or ''}", None, None, "评价得分："])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    ws.append(["加分项目", "平时报备有创新工作……", None, bonus, None])
    ws.append(["减分\n项目", "发生涉及流动人口……", None, penalty, None])
    ws.append(["备注：1.自评分一般不高于分值标准；有高于标准的，需说明加分理由。"])
    wb.save(path)
    return path


def town_rows(
    self_scores=(5, 40, 30, 15, 5, 5), verified=(None, None, None, 13, 4, 5), remarks=("",) * 6
) -> list[tuple]:
    maxes = (5, 40, 30, 15, 5, 5)
    return [
        (i + 1, f"第{i + 1}项考核内容", maxes[i], self_scores[i], verified[i], remarks[i])
        for i in range(6)
    ]


def indicator_book(
    path: Path,
    rows: dict[str, dict],
    *,
    header_row: int = 1,
    columns: list[str] | None = None,
    entries: list[tuple] | None = None,
    ranking: list[tuple] | None = None,
) -> Path:
    """An indicator workbook: sheet 指标 (单位 + indicator columns), optional 加减分 and 市考排名."""
    cols = columns or TOWN_INDICATORS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标"
    for _ in range(header_row - 1):
        ws.append(["说明：本表由区流管办填写"])
    ws.append(["单位", *cols])
    for unit, values in rows.items():
        ws.append([unit, *[values.get(c) for c in cols]])
    if entries is not None:
        es = wb.create_sheet("加减分")
        es.append(["单位", "类型", "专题", "分值", "说明"])
        for e in entries:
            es.append(list(e))
    if ranking is not None:
        rs = wb.create_sheet("市考排名")
        rs.append(["单位", "排名", "并列数"])
        for r in ranking:
            rs.append(list(r))
    wb.save(path)
    return path


def template_indicators(scheme, path: Path, rows: dict[str, dict]) -> Path:
    """The blank indicator workbook of ``flowscore template --indicators``, filled: ``rows``
    maps a unit to {indicator: value}."""
    from flowscore.template import build_indicator_workbook

    wb = build_indicator_workbook(scheme)
    ws = wb["指标"]
    header = [c.value for c in ws[2]]
    for r in range(3, ws.max_row + 1):
        for name, value in rows.get(ws.cell(row=r, column=1).value, {}).items():
            ws.cell(row=r, column=header.index(name) + 1, value=value)
    wb.save(path)
    return path


def filled_template(
    scheme,
    path: Path,
    unit: str,
    *,
    verified: dict | None = None,
    self_scores: dict | None = None,
    remarks: dict | None = None,
    assessor: str | None = None,
) -> Path:
    """A unit's annex template (``flowscore template``) with scores typed into it, by item."""
    from flowscore.template import annex_layout, build_annex_workbook

    wb = build_annex_workbook(scheme, unit, assessor=assessor)
    ws = wb.active
    layout = annex_layout(scheme.sheet(scheme.unit(unit).sheet))
    for role, values in (("verified", verified), ("self", self_scores), ("remark", remarks)):
        for no, value in (values or {}).items():
            ws[f"{layout.letter(role)}{layout.item_rows[no]}"] = value
    wb.save(path)
    return path
