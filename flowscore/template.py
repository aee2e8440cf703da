"""Blank workbooks the office hands out: one annex score sheet per unit, and the indicator workbook.

Annex sheet layout (a contract: the reader of filled sheets relies on it, keep it exact). One
visible worksheet named ``评分表``, six columns A..F:

- row 1: the annex label (``附件1``), A1;
- row 2: the sheet title, merged A2:F2;
- row 3: the seal line ``{seal_label}：{unit}`` in A3 (merged A3:C3), ``自评分合计：`` in D3
  (merged D3:E3) and in F3 the live 自评分 total (``=D13``). Only that: the 评价得分 is the
  office's — the computed items' 核定分 are flowscore's and never on the sheet, so a live
  核定分 total would show a wrong score (sheets of the first template version showed one in F3,
  ``=IF(COUNT(核定分)>0,核定分合计,自评分合计)``; the reader ignores row 3 beyond the seal
  line, so they are read as before);
- row 4: the header ``序号 考核内容 分值 自评分 核定分 备注``;
- rows 5..: one row per item in rubric order: A the item's number, B its full text (wrapped),
  C its max as a number (the text ``±20`` for ± rows), D 自评分, E 核定分, F 备注 blank;
- then, when the sheet has them, the bonus row (A ``加分项目``, B the pool text, C ``+5～15``) and
  the penalty row (A ``减分项目``, B the pool text, C ``-5～10``);
- then the ``合计`` row with the live SUM of 自评分 in D; E stays blank (grey, a comment);
- then the footnotes, one merged A:F row each, and one ``说明：`` row saying that the row-3
  total is the 自评分's and that the 评价得分 is the office's, in its published results;
- then ``填表人：`` / ``联系电话：`` / ``填报日期：`` (A, merged A:D, right-aligned) with their
  values in E:F. Column A holds no 序号 there, so the reader passes these rows by.

Sign convention for bonus and penalty: both rows take a **positive magnitude** (扣5分 is typed
``5`` in the 减分项目 row), the same way entries are typed in the 加减分 sheet; the 合计 formula
adds the bonus and subtracts the penalty. Input messages and validations say so.

Protection: the sheet is protected without a password (an accident guard: 审阅 › 撤销工作表保护
lifts it). Open are only the cells to fill: on a unit's sheet its 自评分 (pale fill) and 备注,
the 核定分 of the items the office scores on the returned sheet (assessor and ceiling_assessor
items, not another member department's), and the 填表人/联系电话/填报日期 values. Locked and
grey: the 核定分 of computed items (a comment: ``由区流管办根据统计数据计算``), the 核定分 of the
bonus and penalty rows (they come from the office's register) and of the 合计 row.

Validation: one rule per open score cell, and a rule has one error message, so each message
says both that a number is needed and the range. 自评分 of an ordinary item: a formula rule,
a number from the item's min, above its max only once 备注 holds a reason (the sheets' own
rule, 备注1) — refused otherwise, like text; ± and bonus items: a number in their range. An
open 核定分: a number in the item's range, or one of the scores its criteria allow (5、3、2、0).
Bonus and penalty 自评分: a number ≥ 0 (at most the pool's cap). All refuse (stop).

Identification that survives Excel, WPS and LibreOffice: text custom document properties
``flowscore.scheme`` (scheme id), ``flowscore.unit`` (roster name), ``flowscore.sheet`` (sheet id)
and ``flowscore.template_version``. The indicator workbook carries ``flowscore.scheme`` and
``flowscore.template_version``.

Sheets that name their own columns (``Sheet.columns``: Beilun's 考核内容 · 分值 · 评分标准 · 自查分 ·
考核分, the provincial form's) keep the rows above but lay the columns out by role, in the order
序号, 考核内容, 分值, 评分标准, 负责单位 (when items have owners), 自评分, 核定分, 备注, with the
sheet's own labels (``annex_columns``). An item whose only text is its criterion (Beilun) shows
its short name under 考核内容 and the full text under 评分标准. A sheet with categories gets a
row naming each category before its first item, with the live 自评分 subtotal bounded as the
rubric says (``=MAX(-10,MIN(0,SUM(F24:F25)))``); the 合计 row then adds the category rows and the
items outside any category (创新工作). Rows and columns of such a sheet are in ``annex_layout(sheet)``.

A member department's field-inspection sheet (``assessor``): the same sheet with
``检查单位：市财政局`` in row 1 (right) and the property ``flowscore.assessor``. Only the 核定分
(highlighted) and 备注 of the items it scores are open; 自评分 are neither highlighted nor open
and nothing is totalled; the 核定分 cells of items another department owns are grey. The file
is ``<annex>-<unit>-<department>.xlsx``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from flowscore.atomic import remove_stale, temporaries_of, write_file_atomic
from flowscore.contract import (
    PROP_ASSESSOR,
    PROP_RUBRIC_DIGEST,
    PROP_SCHEME,
    PROP_SHEET,
    PROP_UNIT,
    PROP_VERSION,
    TEMPLATE_VERSION,
)
from flowscore.errors import OutputError, UsageError
from flowscore.names import roster_of
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Category, Indicator, Item, Pool, Scheme, Sheet, Unit

ANNEX_SHEET = "评分表"
ANNEX_HEADERS = ("序号", "考核内容", "分值", "自评分", "核定分", "备注")
HEADER_ROW = 4
FIRST_ITEM_ROW = 5
BONUS_LABEL = "加分项目"
PENALTY_LABEL = "减分项目"
TOTAL_LABEL = "合计"
TOTAL_SUFFIX = "合计："  # row 3: 自评分合计：, after the sheet's own label of the self column
# Below the table, as on government forms: the reader skips these rows (column A is no 序号).
SIGNOFF_LABELS = ("填表人：", "联系电话：", "填报日期：")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # a typed 2019-12-10 shows as 2019年12月10日


FORMATS = ("xlsx", "docx")  # of the annex template: Excel workbook, Word document (template_docx)

INDICATOR_FILENAME = "指标数据.xlsx"
INDICATOR_SHEET = "指标"
ENTRIES_SHEET = "加减分"
RANKING_SHEET = "市考排名"
INDICATOR_HEADERS = ("单位", "类别")
ENTRY_HEADERS = ("单位", "类型", "专题", "分值", "说明")
ENTRY_TYPES = ("加分", "减分")
RANKING_HEADERS = ("单位", "排名", "并列数")
ENTRY_ROWS = 200  # blank rows prepared (and validated) in the 加减分 sheet


# 宋体 is what the published forms use and what WPS/Excel on Chinese systems have; charset 134
# (GB2312) lets LibreOffice and Excel elsewhere substitute a CJK font instead of boxes.
FONT_NAME = "宋体"
_CJK_CHARSET = 134
_BODY = Font(name=FONT_NAME, size=11, charset=_CJK_CHARSET)
_BOLD = Font(name=FONT_NAME, size=11, bold=True, charset=_CJK_CHARSET)
_TITLE = Font(name=FONT_NAME, size=16, bold=True, charset=_CJK_CHARSET)
_ANNEX = Font(name=FONT_NAME, size=12, bold=True, charset=_CJK_CHARSET)
_NOTE = Font(name=FONT_NAME, size=10, charset=_CJK_CHARSET)
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNDERLINE = Border(bottom=_THIN)
_UNLOCKED = Protection(locked=False)  # every other cell keeps the default: locked
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # pale: prints as white, guides on screen
_NA_FILL = PatternFill("solid", fgColor="BFBFBF")
_OVER_FILL = PatternFill("solid", fgColor="FFC7CE")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)

ANNEX_WIDTHS = {"A": 10, "B": 54, "C": 8, "D": 9, "E": 9, "F": 16}
_LINE_PT = 15  # one wrapped line of 11 pt 宋体, with leading
_PAD_PT = 5
_DATA_ROW_PT = 18

# Sheets that name their own columns (Sheet.columns): the roles in this order, with these widths.
_ROLE_ORDER = ("no", "text", "max", "criteria", "owner", "self", "verified", "remark")
_DEFAULT_ROLES = ("no", "text", "max", "self", "verified", "remark")  # ANNEX_HEADERS' roles
_CUSTOM_WIDTHS = {
    "no": 8,
    "text": 30,
    "max": 8,
    "criteria": 42,
    "owner": 11,
    "self": 8,
    "verified": 8,
    "remark": 14,
}
_WRAPPED_ROLES = ("text", "criteria", "remark")  # long text: top-left, wrapped
OWNER_LABEL = "负责单位"
OWNER_ANY = "均可评分"  # an item without owner: any member department may score it
ASSESSOR_LINE = "检查单位："
_CATEGORY_FILL = PatternFill("solid", fgColor="EDEDED")


class _Saveable(Protocol):
    """A workbook (openpyxl) or a Word document (python-docx): both save to a path."""

    def save(self, target: str, /) -> object: ...


@dataclass(frozen=True, kw_only=True)
class AnnexColumn:
    role: str  # no / text / max / criteria / owner / self / verified / remark
    label: str
    width: float
    letter: str


@dataclass(frozen=True, kw_only=True)
class AnnexLayout:
    """Where things are on an annex sheet built from ``sheet`` (1-based rows)."""

    item_rows: dict[str, int]  # str(item.no) -> row
    bonus_row: int | None
    penalty_row: int | None
    total_row: int
    footnote_rows: tuple[int, ...]
    note_row: int  # 说明：what the live total is, and whose the 评价得分 is
    signoff_rows: tuple[int, ...]  # 填表人 / 联系电话 / 填报日期, in SIGNOFF_LABELS' order
    columns: tuple[AnnexColumn, ...] = ()
    category_rows: dict[str, int] = field(default_factory=dict)  # category -> its row

    @property
    def last_row(self) -> int:
        return self.signoff_rows[-1]

    def col(self, role: str) -> AnnexColumn | None:
        return next((c for c in self.columns if c.role == role), None)

    def letter(self, role: str) -> str:
        """The column letter of a role the layout has (self, verified, text, max always)."""
        c = self.col(role)
        assert c is not None, role
        return c.letter

    @property
    def last_letter(self) -> str:
        return self.columns[-1].letter


def annex_columns(sheet: Sheet) -> tuple[AnnexColumn, ...]:
    """The sheet's columns: the six of ANNEX_HEADERS, or the labels the sheet names itself
    (Beilun: 考核内容 · 分值 · 评分标准 · 自查分 · 考核分), plus 负责单位 when items have owners."""
    if not sheet.columns:
        return tuple(
            AnnexColumn(role=role, label=label, width=ANNEX_WIDTHS[letter], letter=letter)
            for role, label, letter in zip(_DEFAULT_ROLES, ANNEX_HEADERS, "ABCDEF", strict=True)
        )
    defaults = dict(zip(_DEFAULT_ROLES, ANNEX_HEADERS, strict=True))
    has_owner = any(it.owner for it in sheet.items)
    out: list[AnnexColumn] = []
    for role in _ROLE_ORDER:
        if role == "owner":
            if not has_owner:
                continue
            label = OWNER_LABEL
        elif role in sheet.columns:
            label = sheet.columns[role]
        elif role in ("text", "max", "self", "verified"):
            label = defaults[role]
        else:
            continue
        width = _CUSTOM_WIDTHS[role]
        if role == "text" and "criteria" not in sheet.columns:
            width = ANNEX_WIDTHS["B"]
        elif role in ("text", "criteria") and not any(it.criteria for it in sheet.items):
            # the text column holds short names only (Beilun): give the criteria the room
            width = {"text": 20, "criteria": 56}[role]
        out.append(
            AnnexColumn(role=role, label=label, width=width, letter=get_column_letter(len(out) + 1))
        )
    return tuple(out)


def annex_layout(sheet: Sheet) -> AnnexLayout:
    """The row of every part of the annex sheet for ``sheet``. A sheet with categories gets a
    row naming each category (with its subtotal) before the category's first item."""
    row = FIRST_ITEM_ROW
    item_rows: dict[str, int] = {}
    category_rows: dict[str, int] = {}
    declared = {c.name for c in sheet.categories}
    for item in sheet.items:
        if item.category in declared and item.category not in category_rows:
            category_rows[item.category] = row
            row += 1
        item_rows[str(item.no)] = row
        row += 1
    bonus_row = row if sheet.bonus else None
    row += 1 if sheet.bonus else 0
    penalty_row = row if sheet.penalty else None
    row += 1 if sheet.penalty else 0
    total_row = row
    footnotes = tuple(range(total_row + 1, total_row + 1 + len(sheet.footnotes)))
    note_row = total_row + len(footnotes) + 1
    return AnnexLayout(
        item_rows=item_rows,
        bonus_row=bonus_row,
        penalty_row=penalty_row,
        total_row=total_row,
        footnote_rows=footnotes,
        note_row=note_row,
        signoff_rows=tuple(range(note_row + 1, note_row + 1 + len(SIGNOFF_LABELS))),
        columns=annex_columns(sheet),
        category_rows=category_rows,
    )


# -- units and file names ------------------------------------------------------------------------


def resolve_unit(scheme: Scheme, written: str) -> Unit:
    """The roster unit for a written name (aliases and spacing/bracket variants accepted)."""
    name = roster_of(scheme).find(written)
    unit = scheme.unit(name) if name else None
    if unit is None:
        raise UsageError(f"名单中没有单位“{written}”", hint=_suggestion(scheme, [written]))
    return unit


def resolve_assessor(scheme: Scheme, written: str) -> str:
    """The member department (Scheme.assessors) for a written name."""
    from flowscore.names import norm

    for name in scheme.assessors:
        if norm(name) == norm(written):
            return name
    if not scheme.assessors:
        raise UsageError(
            f"评分细则“{scheme.id}”没有成员单位（assessors），不能生成检查评分表",
            hint="去掉 --assessor；需要实地检查的，在评分细则中列出 assessors",
        )
    raise UsageError(
        f"成员单位名单中没有“{written}”", hint="成员单位：" + "、".join(scheme.assessors)
    )


def annex_filename(
    scheme: Scheme, unit: str, assessor: str | None = None, *, suffix: str = ".xlsx"
) -> str:
    """``附件1-月湖街道.xlsx``: the annex label of the unit's sheet, then the roster name (and
    the member department, for a field-inspection sheet: ``评分标准-济南市-市财政局.xlsx``);
    ``suffix`` ``.docx`` for the Word template."""
    u = resolve_unit(scheme, unit)
    annex = scheme.sheet(u.sheet).annex or "评分表"
    return f"{annex}-{u.name}-{assessor}{suffix}" if assessor else f"{annex}-{u.name}{suffix}"


def _resolve_all(scheme: Scheme, written: Iterable[str]) -> list[Unit]:
    """Every written name resolved, duplicates dropped; one error naming every unknown name."""
    roster = roster_of(scheme)
    units: list[Unit] = []
    unknown: list[str] = []
    for w in written:
        name = roster.find(w)
        unit = scheme.unit(name) if name else None
        if unit is None:
            unknown.append(w)
        elif unit not in units:
            units.append(unit)
    if unknown:
        listed = "、".join(f"“{w}”" for w in unknown)
        raise UsageError(f"名单中没有单位{listed}", hint=_suggestion(scheme, unknown))
    return units


def _suggestion(scheme: Scheme, unknown: list[str]) -> str:
    roster = roster_of(scheme)
    parts = []
    for w in unknown:
        near = roster.closest(w)
        if near:
            parts.append(f"“{w}”是不是：{'、'.join(near)}")
    if parts:
        return "；".join(parts) + "？用 --all 可为名单中全部单位生成"
    return "名单中的单位：" + "、".join(u.name for u in scheme.units)


# -- writing -------------------------------------------------------------------------------------


def write_templates(
    scheme: Scheme,
    *,
    units: list[str],
    indicators: bool,
    out_dir: Path,
    force: bool,
    assessor: str | None = None,
    file_format: str = "xlsx",
) -> list[Path]:
    """Write the annex sheet of each unit (and the indicator workbook) into ``out_dir``; with
    ``assessor``, that member department's field-inspection sheet of each unit instead;
    ``file_format`` ``docx``: the annexes as Word documents (``template_docx``; the indicator
    workbook stays a workbook).

    Every unit is resolved and every target checked before anything is written, so a refusal
    leaves the folder as it was. Returns the paths written, in order."""
    if file_format not in FORMATS:
        raise UsageError(
            f"不支持的格式“{file_format}”",
            hint="--format 可选 xlsx（Excel 工作簿，默认）或 docx（Word 文档）",
        )
    resolved = _resolve_all(scheme, units)
    who = resolve_assessor(scheme, assessor) if assessor else None
    suffix = "." + file_format
    targets: list[tuple[Path, Callable[[], _Saveable]]] = [
        (
            out_dir / annex_filename(scheme, u.name, who, suffix=suffix),
            _annex_builder(scheme, u.name, who, file_format),
        )
        for u in resolved
    ]
    if indicators:
        targets.append((out_dir / INDICATOR_FILENAME, lambda: build_indicator_workbook(scheme)))
    _refuse_existing([p for p, _ in targets], out_dir=out_dir, force=force)
    # Build everything first: a failure while building must not leave half the files written.
    books = [(path, build()) for path, build in targets]
    written: list[Path] = []
    for path, wb in books:
        _save(wb, path)
        written.append(path)
    # What a run killed outright while writing these files left (once: a folder scan)
    if written:
        remove_stale(out_dir, temporaries_of([p.name for p in written]))
    return written


def _annex_builder(
    scheme: Scheme, unit: str, assessor: str | None = None, file_format: str = "xlsx"
) -> Callable[[], _Saveable]:
    if file_format == "docx":
        from flowscore.template_docx import build_annex_docx

        return lambda: build_annex_docx(scheme, unit, assessor=assessor)
    return lambda: build_annex_workbook(scheme, unit, assessor=assessor)


def _refuse_existing(paths: list[Path], *, out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"输出位置 {out_dir} 不是文件夹", hint="用 --out 指定一个文件夹")
    existing = [p for p in paths if p.exists()]
    if not existing or force:
        return
    shown = "、".join(p.name for p in existing[:5])
    more = f" 等 {len(existing)} 个文件" if len(existing) > 5 else ""
    raise OutputError(
        f"文件已存在：{shown}{more}（位于 {out_dir}）",
        hint="加 --force 覆盖，或用 --out 指定其他文件夹",
    )


def _save_to(wb: _Saveable, tmp: Path) -> None:
    wb.save(str(tmp))


def _save(wb: _Saveable, path: Path) -> None:
    try:
        write_file_atomic(path, lambda tmp: _save_to(wb, tmp))
    except OSError as exc:
        raise OutputError(
            f"无法写入 {path}：{exc.strerror or exc}",
            hint="检查文件夹是否存在、是否有写入权限，文件是否正被 Excel/WPS 打开",
        ) from exc


# -- the annex sheet -----------------------------------------------------------------------------


def build_annex_workbook(
    scheme: Scheme, unit_name: str, *, assessor: str | None = None
) -> Workbook:
    """The blank annex score sheet for one unit, in the published layout (see module doc).
    With ``assessor`` (a member department), the sheet that department fills in the field
    inspection: ``检查单位：…`` above the header, and only the 核定分 of its own items open."""
    unit = resolve_unit(scheme, unit_name)
    sheet = scheme.sheet(unit.sheet)
    who = resolve_assessor(scheme, assessor) if assessor else None
    wb = Workbook()
    ws = wb.active
    ws.title = ANNEX_SHEET
    fill_annex_sheet(ws, scheme, unit.name, assessor=who)
    extra = {PROP_UNIT: unit.name, PROP_SHEET: sheet.id}
    if who:
        extra[PROP_ASSESSOR] = who
    _identify(
        wb,
        scheme,
        title=f"{sheet.annex} {sheet.title}".strip(),
        extra=extra,
        subject=f"{unit.name} {sheet.annex}{'（' + who + '检查）' if who else ''}".strip(),
    )
    return wb


@dataclass(frozen=True, kw_only=True)
class _Annex:
    """What every part of one annex sheet is laid out from."""

    scheme: Scheme
    sheet: Sheet
    layout: AnnexLayout
    assessor: str | None  # a member department's field-inspection sheet; None: the unit's own

    @property
    def own_sheet(self) -> bool:
        """The unit's own sheet: it fills 自评分; an inspection sheet leaves them alone."""
        return self.assessor is None

    @property
    def office(self) -> str:
        """Who holds the statistics and gives the 评价得分 (专项组办公室 for the province)."""
        return self.scheme.decisions.own_sheet_assessor or "区流管办"

    @property
    def checker(self) -> str:
        """Who types 核定分 on the unit's own sheet. Sheets in the Haishu layout keep its
        wording; other schemes' offices are not 区流管办."""
        return "考核组" if self.layout.col("criteria") else "区流管办考核组"

    def label(self, role: str) -> str:
        """The sheet's own label of a column (Beilun: 自查分, 考核分)."""
        c = self.layout.col(role)
        return c.label if c else dict(zip(_DEFAULT_ROLES, ANNEX_HEADERS, strict=True))[role]

    def ref(self, role: str, row: int) -> str:
        return f"{self.layout.letter(role)}{row}"

    def total_label(self) -> str:
        """Above the table: ``自评分合计：`` (Beilun: ``自查分合计：``)."""
        return self.label("self") + TOTAL_SUFFIX

    def note(self) -> str:
        """The ``说明：`` line below the table: what the total above it is, whose the 评价得分."""
        s, v = self.label("self"), self.label("verified")
        if self.own_sheet:
            return (
                f"说明：{v}由{self.checker}填写，灰色格子不必填写。表格上方的“{s}{TOTAL_SUFFIX[:-1]}”"
                f"只是本单位{s}之和，不是评价得分；评价得分由{self.office}核定，以考核结果通报为准。"
            )
        return (
            f"说明：{self.assessor}只填本单位负责项目的{v}，灰色格子不必填写；"
            f"评价得分由{self.office}汇总核定，以考核结果通报为准。"
        )


def protection_note(scheme: Scheme) -> str:
    """Said after ``flowscore template`` writes xlsx sheets: whoever hands them out must know
    how the office still writes into a grey cell."""
    office = scheme.decisions.own_sheet_assessor or "区流管办"
    return (
        "评分表设有工作表保护（不设密码），只有要填的格子可以输入，灰色格子不必填写。"
        f"{office}改写计算项的核定分，登记在核定登记表中即可；确需在表上改写时，"
        "在 Excel、WPS 中点“审阅 › 撤销工作表保护”，在 LibreOffice 中点“工具 › 保护工作表”。"
    )


def annex_wording(scheme: Scheme, sheet: Sheet, *, assessor: str | None = None) -> tuple[str, str]:
    """(the label of the total above the table — empty on an inspection sheet, which totals
    nothing —, the ``说明：`` line below it): the Word template says what the xlsx one does."""
    ctx = _Annex(scheme=scheme, sheet=sheet, layout=annex_layout(sheet), assessor=assessor)
    return (ctx.total_label() if ctx.own_sheet else "", ctx.note())


# How an item's 核定分 cell is offered: ``fill`` — this sheet's filler types it (open,
# highlighted); ``office`` — the office types it into the returned sheet (open, plain);
# ``computed`` — flowscore computes it (locked, grey, said so); ``other`` — another member
# department scores it on its own inspection sheet (locked, grey).
VerifiedCell = Literal["fill", "office", "computed", "other"]


def verified_cell(scheme: Scheme, item: Item, *, assessor: str | None = None) -> VerifiedCell:
    """How the 核定分 cell of ``item`` is offered on the unit's sheet (or ``assessor``'s)."""
    if item.mode == "computed":
        return "computed"
    if assessor is not None:
        return "fill" if not item.owner or item.owner == assessor else "other"
    # the 核定分 on a unit's own sheet count for ownerless items and own_sheet_assessor's only
    own = scheme.decisions.own_sheet_assessor
    return "office" if not item.owner or item.owner == own else "other"


def fill_annex_sheet(
    ws: Worksheet, scheme: Scheme, unit_name: str, *, assessor: str | None = None
) -> AnnexLayout:
    """Lay one unit's annex sheet out on ``ws`` (an empty worksheet), protected with only the
    cells to fill open. Returns its layout."""
    unit = resolve_unit(scheme, unit_name)
    sheet = scheme.sheet(unit.sheet)
    layout = annex_layout(sheet)
    ctx = _Annex(scheme=scheme, sheet=sheet, layout=layout, assessor=assessor)
    _annex_heading(ws, ctx, unit.name)
    if assessor:
        _assessor_line(ws, assessor, layout)
    categories = {c.name: c for c in sheet.categories}
    for name, row in layout.category_rows.items():
        _category_row(ws, ctx, categories[name], row)
    for item in sheet.items:
        _item_row(ws, ctx, item)
    for pool, pool_row, label in (
        (sheet.bonus, layout.bonus_row, BONUS_LABEL),
        (sheet.penalty, layout.penalty_row, PENALTY_LABEL),
    ):
        if pool and pool_row:
            _pool_row(ws, ctx, pool, pool_row, label=label)
    _total_row(ws, ctx)
    _footnotes(ws, sheet, layout)
    _note_row(ws, ctx)
    _signoff_rows(ws, layout)
    _annex_page(ws, layout)
    _protect(ws)
    return layout


def _annex_heading(ws: Worksheet, ctx: _Annex, unit: str) -> None:
    layout, sheet = ctx.layout, ctx.sheet
    n = len(layout.columns)
    last = layout.last_letter
    ws["A1"] = sheet.annex
    ws["A1"].font = _ANNEX
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = sheet.title
    ws["A2"].font = _TITLE
    ws["A2"].alignment = _CENTER
    ws.row_dimensions[2].height = 36
    _merge(ws, 3, 1, n - 3)
    ws["A3"] = f"{sheet.seal_label}：{unit}"
    ws["A3"].font = _BODY
    ws["A3"].alignment = Alignment(horizontal="left", vertical="center")
    if ctx.own_sheet:
        # Only what the sheet can honestly total: the 自评分. The 评价得分 is the office's.
        label = ws.cell(row=3, column=n - 2, value=ctx.total_label())
        _merge(ws, 3, n - 2, n - 1)
        label.font = _BODY
        label.alignment = Alignment(horizontal="right", vertical="center")
        ws[f"{last}3"] = "=" + ctx.ref("self", layout.total_row)
        ws[f"{last}3"].font = _BOLD
        ws[f"{last}3"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[3].height = 24
    for col, column in enumerate(layout.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=column.label)
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX
    ws.row_dimensions[HEADER_ROW].height = 24
    for column in layout.columns:
        ws.column_dimensions[column.letter].width = column.width


def _assessor_line(ws: Worksheet, assessor: str, layout: AnnexLayout) -> None:
    """``检查单位：市财政局`` in row 1, right: the reader takes the sheet as that department's."""
    n = len(layout.columns)
    start = get_column_letter(n - 2)
    ws.merge_cells(f"{start}1:{layout.last_letter}1")
    ws[f"{start}1"] = f"{ASSESSOR_LINE}{assessor}"
    ws[f"{start}1"].font = _BOLD
    ws[f"{start}1"].alignment = Alignment(horizontal="right", vertical="center")


def _item_ranges(layout: AnnexLayout, letter: str, rows: Iterable[int]) -> str:
    """``E6:E9,E11:E17``: the cells of ``rows`` in column ``letter``, consecutive rows joined."""
    return ",".join(
        f"{letter}{a}:{letter}{b}" if b > a else f"{letter}{a}" for a, b in _runs(sorted(rows))
    )


def _category_row(ws: Worksheet, ctx: _Annex, category: Category, row: int) -> None:
    """A category (基础工作 30) with the live subtotal of its 自评分, bounded as the rubric
    says (the provincial section 四: at most −10). No 核定分 subtotal: the computed items'
    核定分 are flowscore's, so a sum of the typed ones would be a wrong score."""
    layout = ctx.layout
    items = [it for it in ctx.sheet.items if it.category == category.name]
    ws.cell(row=row, column=_index(layout, "text"), value=category.name)
    if category.min is not None and category.min < 0:
        top = category.max if category.max is not None else Decimal(0)
        max_value: object = f"{fmt_plain(category.min)}～{fmt_plain(top)}"
    elif category.max is not None:
        max_value = _number(category.max)
    else:
        max_value = _number(sum((it.max for it in items if not it.extra), Decimal(0)))
    ws.cell(row=row, column=_index(layout, "max"), value=max_value)
    if ctx.own_sheet:
        rows = [layout.item_rows[str(it.no)] for it in items]
        formula = f"SUM({_item_ranges(layout, layout.letter('self'), rows)})"
        if category.max is not None:
            formula = f"MIN({fmt_plain(category.max)},{formula})"
        if category.min is not None:
            formula = f"MAX({fmt_plain(category.min)},{formula})"
        ws[ctx.ref("self", row)] = "=" + formula
    _style_row(ws, row, layout)
    for col in range(1, len(layout.columns) + 1):
        cell = ws.cell(row=row, column=col)
        cell.font = _BOLD
        cell.fill = _CATEGORY_FILL
    ws.cell(row=row, column=_index(layout, "text")).alignment = _LEFT
    ws.row_dimensions[row].height = 22


def _index(layout: AnnexLayout, role: str) -> int:
    return next(i for i, c in enumerate(layout.columns, start=1) if c.role == role)


def _item_row(ws: Worksheet, ctx: _Annex, item: Item) -> None:
    layout = ctx.layout
    row = layout.item_rows[str(item.no)]
    has_criteria = layout.col("criteria") is not None
    for i, column in enumerate(layout.columns, start=1):
        value: object = None
        if column.role == "no":
            value = _plain_no(item.no)
        elif column.role == "text":
            # With a 评分标准 column, an item whose only text is its criterion (Beilun) is named
            # by its short name here and printed in full there.
            value = item.text if not has_criteria or item.criteria else (item.short or item.text)
        elif column.role == "criteria":
            value = item.criteria or item.text
        elif column.role == "max":
            value = item.max_label if item.is_adjustment or item.extra else _number(item.max)
        elif column.role == "owner":
            value = item.owner or OWNER_ANY
        if value is not None:
            ws.cell(row=row, column=i, value=value)
    _style_row(ws, row, layout)
    ws.row_dimensions[row].height = max(
        _height(str(ws.cell(row=row, column=_index(layout, c.role)).value or ""), c.width)
        for c in layout.columns
        if c.role in ("text", "criteria")
    )
    if ctx.own_sheet:
        _open(ws[ctx.ref("self", row)], highlight=True)
        _self_rule(ws, ctx, item, row)
        _open_remark(ws, ctx, row)
        if not item.is_adjustment:
            # A self score above the max is allowed only with a reason: make it stand out.
            ws.conditional_formatting.add(
                ctx.ref("self", row),
                CellIsRule(operator="greaterThan", formula=[fmt_plain(item.max)], fill=_OVER_FILL),
            )
    state = verified_cell(ctx.scheme, item, assessor=ctx.assessor)
    cell = ws[ctx.ref("verified", row)]
    if state in ("fill", "office"):
        _open(cell, highlight=state == "fill")
        _verified_rule(ws, ctx, item, row)
        if state == "fill":
            _open_remark(ws, ctx, row)  # the inspector's reason for a score, read as 备注
        return
    cell.fill = _NA_FILL
    if state == "computed":
        cell.comment = _comment(f"由{ctx.office}根据统计数据计算，不必填写。", ctx.office)


def _open(cell: Cell, *, highlight: bool) -> None:
    """A cell to fill: unlocked under the sheet protection, pale on screen when it is the
    filler's own task (it prints as white)."""
    cell.protection = _UNLOCKED
    if highlight:
        cell.fill = _INPUT_FILL


def _open_remark(ws: Worksheet, ctx: _Annex, row: int) -> None:
    if ctx.layout.col("remark") is not None:
        _open(ws[ctx.ref("remark", row)], highlight=False)


def _comment(text: str, author: str) -> Comment:
    note = Comment(text, author)
    note.width, note.height = 200, 60  # pixels: one short sentence
    return note


# Typed text (4.5分, 五) and a number out of range meet the same rule, and a rule has one error
# message: every message says both what is needed (a number) and the range.
_NUMBER_ONLY = "请填数字，不要带“分”字或其他文字。"


def _self_rule(ws: Worksheet, ctx: _Annex, item: Item, row: int) -> None:
    """The 自评分 cell's rule. An ordinary item takes a number from its min; above the max
    only once a reason is in 备注 (the sheets' own rule, 备注1), so the rule is a formula:
    one refusal covers text, a negative number and an unexplained excess."""
    lo, hi = fmt_plain(item.min), fmt_plain(item.max)
    label = ctx.label("self")
    ref = ctx.ref("self", row)
    remark = ctx.layout.col("remark")
    title = f"{label}（加分项）" if item.extra else f"{label}（分值 {item.max_label} 分）"
    if item.is_adjustment:
        dv = _decimal(lo, hi)
        why = "按市对区考核排名折算，" if -item.min == item.max else "扣分项，不扣分填 0，"
        prompt = f"填写本项{label}，{lo}～{hi} 分（{why}扣分填负数）。"
        error = f"{_NUMBER_ONLY}本项可填 {lo}～{hi} 分，扣分填负数。"
    elif item.extra:
        dv = _decimal(lo, hi if item.capped else None)
        prompt = "填写本项加分（加分项，不计入分值合计）；没有的留空或填 0。"
        error = _NUMBER_ONLY + (
            f"本项加分 {lo}～{hi} 分。" if item.capped else f"本项加分不小于 {lo} 分。"
        )
    elif not ctx.scheme.decisions.self_above_max_needs_reason:
        dv = _decimal(lo, None)
        prompt = f"填写本项{label}，分值 {hi} 分，可有小数（如 4.5）。"
        error = f"{_NUMBER_ONLY}{label}不能小于 {lo}。"
    elif remark is None:  # nowhere to write a reason: the max holds
        dv = _decimal(lo, hi)
        prompt = f"填写本项{label}，{lo}～{hi} 分，可有小数（如 4.5）。"
        error = f"{_NUMBER_ONLY}本项分值 {lo}～{hi} 分。"
    else:
        why = f"{remark.letter}{row}"
        dv = DataValidation(
            type="custom",
            formula1=f"AND(ISNUMBER({ref}),{ref}>={lo},OR({ref}<={hi},LEN(TRIM({why}))>0))",
            allow_blank=True,
        )
        prompt = (
            f"填写本项{label}，{lo}～{hi} 分，可有小数（如 4.5）。"
            f"高于 {hi} 分的，先在“{remark.label}”栏写明理由。"
        )
        error = (
            f"{_NUMBER_ONLY}本项分值 {lo}～{hi} 分；"
            f"高于 {hi} 分的，须先在“{remark.label}”栏写明加分理由。"
        )
    _rule(ws, ref, dv, title=title, prompt=prompt, error_title=f"{label}填写有误", error=error)


def _verified_rule(ws: Worksheet, ctx: _Annex, item: Item, row: int) -> None:
    """The rule of an open 核定分 cell: a number in the item's range, or one of the scores
    its criteria allow (5、3、2、0), refused otherwise."""
    lo, hi = fmt_plain(item.min), fmt_plain(item.max)
    uncapped = item.extra and not item.capped
    span = f"不小于 {lo} 分" if uncapped else f"{lo}～{hi} 分"
    label = ctx.label("verified")
    who = ctx.assessor or ctx.checker
    head = f"由{who}实地检查后填写" if ctx.assessor else f"由{who}填写"
    rest = ""
    if item.mode == "ceiling_assessor":
        rest = "不得高于按指标数据计算的上限。"
        if item.assessor_optional:
            rest += "不另行扣分的留空。"
    elif item.assessor_optional:
        rest = "留空即不加分、不扣分。"
    ref = ctx.ref("verified", row)
    if item.allowed:
        scores = [fmt_plain(a) for a in item.allowed]
        allowed = "只能填：" + "、".join(scores) + "。"
        any_of = ",".join(f"{ref}={a}" for a in scores)
        dv = DataValidation(
            type="custom", formula1=f"AND(ISNUMBER({ref}),OR({any_of}))", allow_blank=True
        )
        # the allowed scores say the range too, and the prompt must stay short
        prompt, error = f"{head}。{allowed}{rest}", f"{_NUMBER_ONLY}按评分标准{allowed}"
    else:
        dv = _decimal(lo, None if uncapped else hi)
        prompt = f"{head}，{span}。{rest}"
        error = f"{_NUMBER_ONLY}{label}应{span if uncapped else '在 ' + span + '之间'}。"
    _rule(
        ws,
        ref,
        dv,
        title=f"{label}（{who}填写）",
        prompt=prompt,
        error_title=f"{label}填写有误",
        error=error,
    )


def _pool_row(ws: Worksheet, ctx: _Annex, pool: Pool, row: int, *, label: str) -> None:
    """The 加分项目 / 减分项目 row. The unit claims its bonus in 自评分; the office scores
    bonus and penalty from its register of filed entries, so the row's 核定分 stays shut."""
    layout = ctx.layout
    sign = "+" if pool.kind == "bonus" else "-"
    ws.cell(row=row, column=1, value=label)
    text_col = _index(layout, "criteria") if layout.col("criteria") else _index(layout, "text")
    ws.cell(row=row, column=text_col, value=pool.text)
    ws.cell(
        row=row,
        column=_index(layout, "max"),
        value=f"{sign}{fmt_plain(pool.min)}～{fmt_plain(pool.max)}",
    )
    _style_row(ws, row, layout)
    ws.cell(row=row, column=1).font = _BOLD
    width = next(c.width for c in layout.columns if c.letter == get_column_letter(text_col))
    ws.row_dimensions[row].height = _height(pool.text, width)
    kind = "加分" if pool.kind == "bonus" else "减分"
    verified = ws[ctx.ref("verified", row)]
    verified.fill = _NA_FILL
    verified.comment = _comment(f"{kind}以{ctx.office}的加减分登记为准，此格不必填写。", ctx.office)
    if not ctx.own_sheet:
        return
    _open(ws[ctx.ref("self", row)], highlight=True)
    _open_remark(ws, ctx, row)
    each = f"每项{fmt_plain(pool.min)}～{fmt_plain(pool.max)}分"
    if pool.kind == "bonus":
        prompt = f"填写加分合计，用正数表示（{each}"
        prompt += "，同一专题按最高一项计）。" if pool.same_topic == "highest" else "）。"
    else:
        prompt = f"填写减分合计，用正数表示，如扣5分填 5，合计时自动减去（{each}）。"
    hi = fmt_plain(pool.cap) if pool.cap is not None else None
    error = f"请填数字，{kind}用正数表示，不要带“分”字、负号或其他文字。"
    if hi:
        error += f"合计不超过 {hi} 分。"
    _rule(
        ws,
        ctx.ref("self", row),
        _decimal("0", hi),
        title=f"{kind}（填正数）",
        prompt=prompt,
        error_title="填写有误",
        error=error,
    )


def _total_row(ws: Worksheet, ctx: _Annex) -> None:
    layout, sheet = ctx.layout, ctx.sheet
    row = layout.total_row
    ws.cell(row=row, column=1, value=TOTAL_LABEL)
    if ctx.own_sheet:
        ws[ctx.ref("self", row)] = _self_total(sheet, layout)
    _style_row(ws, row, layout)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=_index(layout, "max"))
    for index in range(1, len(layout.columns) + 1):
        ws.cell(row=row, column=index).font = _BOLD
    ws.row_dimensions[row].height = 24
    # No live 核定分 total: the computed items' 核定分 are flowscore's, not the sheet's.
    verified = ws[ctx.ref("verified", row)]
    verified.fill = _NA_FILL
    verified.comment = _comment(f"评价得分由{ctx.office}核定，以考核结果通报为准。", ctx.office)


def _self_total(sheet: Sheet, layout: AnnexLayout) -> str:
    """The 自评分 合计: items (or the bounded category subtotals and the items outside any
    category) plus the bonus claimed, minus the penalty."""
    col = layout.letter("self")
    if layout.category_rows:
        in_category = {str(it.no) for it in sheet.items if it.category in layout.category_rows}
        rows = [
            *layout.category_rows.values(),
            *(r for no, r in layout.item_rows.items() if no not in in_category),
        ]
        if layout.bonus_row:
            rows.append(layout.bonus_row)
        formula = f"=SUM({_item_ranges(layout, col, rows)})"
    else:
        last = layout.bonus_row or (layout.total_row - 1 - (1 if layout.penalty_row else 0))
        formula = f"=SUM({col}{FIRST_ITEM_ROW}:{col}{last})"
    if layout.penalty_row:
        # SUM of one cell, not a bare reference: text typed there is ignored, not #VALUE!.
        formula += f"-SUM({col}{layout.penalty_row})"
    return formula


def _footnotes(ws: Worksheet, sheet: Sheet, layout: AnnexLayout) -> None:
    for i, (row, note) in enumerate(zip(layout.footnote_rows, sheet.footnotes, strict=True)):
        _note(ws, row, layout, f"备注：{note}" if i == 0 else note)


def _note_row(ws: Worksheet, ctx: _Annex) -> None:
    _note(ws, ctx.layout.note_row, ctx.layout, ctx.note())


def _note(ws: Worksheet, row: int, layout: AnnexLayout, text: str) -> None:
    """A line of small print across the whole sheet."""
    width = sum(c.width for c in layout.columns)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(layout.columns))
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = _NOTE
    cell.alignment = _TOP_LEFT
    ws.row_dimensions[row].height = _height(text, width, per_line=13)


def _signoff_rows(ws: Worksheet, layout: AnnexLayout) -> None:
    """填表人 / 联系电话 / 填报日期 at the bottom right, as on government forms: the label
    right-aligned across the left columns, the value in the last two (open, underlined)."""
    n = len(layout.columns)
    for i, (row, label) in enumerate(zip(layout.signoff_rows, SIGNOFF_LABELS, strict=True)):
        _merge(ws, row, 1, n - 2)
        head = ws.cell(row=row, column=1, value=label)
        head.font = _BODY
        head.alignment = Alignment(horizontal="right", vertical="bottom")
        _merge(ws, row, n - 1, n)
        for col in (n - 1, n):
            cell = ws.cell(row=row, column=col)
            _open(cell, highlight=True)
            cell.border = _UNDERLINE
        value = ws.cell(row=row, column=n - 1)
        value.font = _BODY
        value.alignment = Alignment(horizontal="left", vertical="bottom")
        # a date shows as 2019年12月10日; a name or a phone number stays text as typed
        value.number_format = DATE_FORMAT if label == SIGNOFF_LABELS[-1] else "@"
        ws.row_dimensions[row].height = 30 if i == 0 else _DATA_ROW_PT + 4


def _merge(ws: Worksheet, row: int, first: int, last: int) -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _style_row(ws: Worksheet, row: int, layout: AnnexLayout) -> None:
    for col, column in enumerate(layout.columns, start=1):
        cell = ws.cell(row=row, column=col)
        cell.font = _BODY
        cell.border = _BOX
        cell.alignment = _TOP_LEFT if column.role in _WRAPPED_ROLES else _CENTER


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password: it stops accidents (a formula typed over, a row
    deleted, the header sorted away), not people — 审阅 › 撤销工作表保护 lifts it (the office overrides a
    computed 核定分 in its register, 核定登记表, rather than on the sheet). Row heights and column widths stay adjustable (a long
    备注 needs a taller row) and every cell can be selected; in openpyxl True means *protected*."""
    ws.protection = SheetProtection(
        sheet=True,
        password=None,
        formatCells=True,
        formatColumns=False,
        formatRows=False,
        insertColumns=True,
        insertRows=True,
        insertHyperlinks=True,
        deleteColumns=True,
        deleteRows=True,
        selectLockedCells=False,
        selectUnlockedCells=False,
        sort=True,
        autoFilter=True,
        pivotTables=True,
        objects=True,
        scenarios=True,
    )


def _annex_page(ws: Worksheet, layout: AnnexLayout) -> None:
    ws.freeze_panes = f"A{FIRST_ITEM_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{layout.last_letter}{layout.last_row}"
    _page(ws, landscape=sum(c.width for c in layout.columns) > 120)


def _page(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# -- the indicator workbook ----------------------------------------------------------------------


def build_indicator_workbook(scheme: Scheme) -> Workbook:
    """The office's statistics workbook: ``指标`` (one row per unit), ``加减分`` (bonus and
    penalty entries) and ``市考排名`` (the city's ranking of departments)."""
    wb = Workbook()
    _indicator_sheet(wb.active, scheme)
    _entries_sheet(wb.create_sheet(ENTRIES_SHEET), scheme)
    _ranking_sheet(wb.create_sheet(RANKING_SHEET), scheme)
    _identify(wb, scheme, title=f"{scheme.title} 指标数据", extra={}, subject="指标数据")
    return wb


def _indicator_sheet(ws: Worksheet, scheme: Scheme) -> None:
    ws.title = INDICATOR_SHEET
    inds = scheme.indicators
    ncols = len(INDICATOR_HEADERS) + len(inds)
    _instruction(ws, _indicator_instruction(inds), ncols)
    _header(ws, [*INDICATOR_HEADERS, *(i.name for i in inds)], height=48)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 14
    for j in range(len(inds)):
        ws.column_dimensions[get_column_letter(3 + j)].width = 14
    for r, unit in enumerate(scheme.units, start=3):
        ws.cell(row=r, column=1, value=unit.name)
        ws.cell(row=r, column=2, value=scheme.tier(unit.tier).label)
        ws.row_dimensions[r].height = _DATA_ROW_PT
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = _BODY
            cell.border = _BOX
            cell.alignment = _LEFT if c <= 2 else _CENTER
        for j, ind in enumerate(inds):
            if unit.sheet not in ind.sheets:
                ws.cell(row=r, column=3 + j).fill = _NA_FILL
    for j, ind in enumerate(inds):
        rows = [r for r, u in enumerate(scheme.units, start=3) if u.sheet in ind.sheets]
        _indicator_validation(ws, ind, column=get_column_letter(3 + j), rows=rows)
    ws.freeze_panes = "C3"
    ws.print_title_rows = "2:2"
    _page(ws, landscape=True)


def _indicator_instruction(inds: tuple[Indicator, ...]) -> str:
    parts = [
        "填写说明：每个单位一行，按列填写各项指标（灰色格子表示该指标不适用于该单位，不必填写）。"
    ]
    if any(i.kind == "count" for i in inds):
        parts.append("数量填整数，如 12345，不要写单位。")
    yes_no = [i.name for i in inds if i.kind == "yes_no"]
    if yes_no:
        parts.append("、".join(f"“{n}”" for n in yes_no) + "填“是”或“否”。")
    if any(i.kind == "rate" for i in inds):
        parts.append("比率填百分数，如 27.5%。")
    parts.append("次数为零的填 0；暂无数据的留空。")
    return "".join(parts)


def _indicator_validation(ws: Worksheet, ind: Indicator, *, column: str, rows: list[int]) -> None:
    if not rows:
        return
    prompt = ind.note or ""
    if ind.kind == "yes_no":
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        prompt = _sentence(prompt) + "填“是”或“否”。"
        error = "请填“是”或“否”。"
    elif ind.kind == "count":
        dv = DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        prompt = _sentence(prompt) + "填整数。"
        error = "请填不小于0的整数。"
    elif ind.kind == "rate":
        dv = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True
        )
        prompt = _sentence(prompt) + "填百分数，如 27.5%。"
        error = "请填0%～100%之间的百分数。"
    else:
        dv = DataValidation(
            type="decimal", allow_blank=True, operator="greaterThanOrEqual", formula1="0"
        )
        prompt = _sentence(prompt) + "填数字。"
        error = "请填数字。"
    _messages(
        dv,
        title=ind.name,
        prompt=prompt,
        error_title="填写有误",
        error=error,
        style="warning" if ind.kind == "count" else "stop",
    )
    ws.add_data_validation(dv)
    for start, end in _runs(rows):
        dv.add(f"{column}{start}:{column}{end}" if end > start else f"{column}{start}")


def _entries_sheet(ws: Worksheet, scheme: Scheme) -> None:
    pools = _pools(scheme)
    bonus = [p for p in pools if p.kind == "bonus"]
    penalty = [p for p in pools if p.kind == "penalty"]
    text = (
        "填写说明：每条加分或减分一行。“单位”写名单中的单位名称；“类型”选“加分”或“减分”；"
        "“分值”一律填正数" + _ranges(bonus, penalty) + "；"
    )
    if any(p.same_topic == "highest" for p in bonus):
        text += "同一单位同一“专题”的加分只按最高一项计分，请如实填写专题；"
    text += "“说明”写明事由和依据（如报备文件、批示、报道）。"
    _instruction(ws, text, len(ENTRY_HEADERS))
    _header(ws, ENTRY_HEADERS, height=24)
    for letter, width in zip("ABCDE", (16, 8, 26, 8, 50), strict=True):
        ws.column_dimensions[letter].width = width
    last = 2 + ENTRY_ROWS
    for r in range(3, last + 1):
        for c in range(1, len(ENTRY_HEADERS) + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = _BODY
            cell.border = _BOX
            cell.alignment = _CENTER if c in (2, 4) else _LEFT
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(ENTRY_TYPES) + '"', allow_blank=True
    )
    _messages(
        kinds,
        title="类型",
        prompt="选“加分”或“减分”。",
        error_title="填写有误",
        error="类型只能是“加分”或“减分”。",
        style="stop",
    )
    ws.add_data_validation(kinds)
    kinds.add(f"B3:B{last}")
    if pools:
        lo = fmt_plain(min(p.min for p in pools))
        hi = fmt_plain(max(p.max for p in pools))
        points = DataValidation(
            type="decimal", operator="between", formula1=lo, formula2=hi, allow_blank=True
        )
        _messages(
            points,
            title="分值（填正数）",
            prompt="填正数" + _ranges(bonus, penalty) + "。",
            error_title="超出范围",
            error=f"分值应为正数，在 {lo}～{hi} 之间。",
            style="stop",
        )
        ws.add_data_validation(points)
        points.add(f"D3:D{last}")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    _page(ws, landscape=False)


def _ranges(bonus: list[Pool], penalty: list[Pool]) -> str:
    def span(pools: list[Pool]) -> str:
        lo = fmt_plain(min(p.min for p in pools))
        hi = fmt_plain(max(p.max for p in pools))
        return f"{lo}～{hi}"

    bits = []
    if bonus:
        bits.append(f"加分每项{span(bonus)}分")
    if penalty:
        bits.append(f"减分每起{span(penalty)}分，如扣5分填 5")
    return "（" + "，".join(bits) + "）" if bits else ""


def _ranking_sheet(ws: Worksheet, scheme: Scheme) -> None:
    ranked = _ranked_units(scheme)
    places = max((len(scheme.table(t).points) for _, t in ranked), default=10)
    text = (
        f"填写说明：填写各部门业务条线在市对区考核中的名次（1～{places}）。"
        "并列排名的，“并列数”填并列的区数（含本区），"
        "如与另一个区并列第2名，排名填 2、并列数填 2；"
        "未并列的“并列数”留空或填 1。"
    )
    _instruction(ws, text, len(RANKING_HEADERS))
    _header(ws, RANKING_HEADERS, height=24)
    for letter, width in zip("ABC", (20, 10, 10), strict=True):
        ws.column_dimensions[letter].width = width
    for r, (unit, _table) in enumerate(ranked, start=3):
        ws.cell(row=r, column=1, value=unit.name)
        ws.row_dimensions[r].height = _DATA_ROW_PT
        for c in range(1, 4):
            cell = ws.cell(row=r, column=c)
            cell.font = _BODY
            cell.border = _BOX
            cell.alignment = _LEFT if c == 1 else _CENTER
    if ranked:
        last = 2 + len(ranked)
        for col, title, prompt in (
            ("B", "排名", f"填名次，1～{places} 的整数。"),
            ("C", "并列数", "并列的区数（含本区）；未并列留空或填 1。"),
        ):
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1="1",
                formula2=str(places),
                allow_blank=True,
            )
            _messages(
                dv,
                title=title,
                prompt=prompt,
                error_title="填写有误",
                error=f"请填 1～{places} 的整数。",
                style="stop",
            )
            ws.add_data_validation(dv)
            dv.add(f"{col}3:{col}{last}")
    ws.freeze_panes = "A3"
    _page(ws, landscape=False)


def _ranked_units(scheme: Scheme) -> list[tuple[Unit, str]]:
    """Units whose sheet has a city-ranking (rank_table) item, with that item's table id."""
    out = []
    for unit in scheme.units:
        sheet = scheme.sheet(unit.sheet)
        table = next((ref for it in sheet.items for p in it.parts if (ref := p.table_ref())), None)
        if table is not None:
            out.append((unit, table))
    return out


def _pools(scheme: Scheme) -> list[Pool]:
    out: list[Pool] = []
    for sheet in scheme.sheets:
        for pool in (sheet.bonus, sheet.penalty):
            if pool is not None and pool not in out:
                out.append(pool)
    return out


# -- shared helpers ------------------------------------------------------------------------------


def _instruction(ws: Worksheet, text: str, ncols: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    cell = ws.cell(row=1, column=1, value=text)
    cell.font = _NOTE
    cell.alignment = _TOP_LEFT
    # Merged width is at least the first columns' widths; estimate generously.
    width = max(60, 14 * ncols)
    ws.row_dimensions[1].height = _height(text, width, per_line=14)


def _header(ws: Worksheet, labels: Iterable[str], *, height: float) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=2, column=col, value=label)
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX
    ws.row_dimensions[2].height = height


def _decimal(lo: str, hi: str | None) -> DataValidation:
    """A number from ``lo`` (to ``hi``); a blank cell passes."""
    if hi is None:
        return DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1=lo, allow_blank=True
        )
    return DataValidation(
        type="decimal", operator="between", formula1=lo, formula2=hi, allow_blank=True
    )


def _rule(
    ws: Worksheet,
    ref: str,
    dv: DataValidation,
    *,
    title: str,
    prompt: str,
    error_title: str,
    error: str,
) -> None:
    """``dv`` on the one cell ``ref``, refusing (stop) what it does not allow. Pasting skips
    validation in Excel and WPS, so text pasted into the cell (``4.5分``) is marked red too."""
    _messages(dv, title=title, prompt=prompt, error_title=error_title, error=error, style="stop")
    ws.add_data_validation(dv)
    dv.add(ref)
    ws.conditional_formatting.add(ref, FormulaRule(formula=[f"ISTEXT({ref})"], fill=_OVER_FILL))


def _messages(
    dv: DataValidation, *, title: str, prompt: str, error_title: str, error: str, style: str
) -> None:
    # Excel refuses titles over 32 characters and messages over 255.
    dv.promptTitle = title[:32]
    dv.prompt = prompt[:255]
    dv.errorTitle = error_title[:32]
    dv.error = error[:255]
    dv.errorStyle = style
    dv.showInputMessage = True
    dv.showErrorMessage = True


def _identify(
    wb: Workbook, scheme: Scheme, *, title: str, extra: dict[str, str], subject: str
) -> None:
    wb.properties.title = title
    wb.properties.subject = subject
    wb.properties.creator = "flowscore"
    wb.properties.lastModifiedBy = "flowscore"
    wb.properties.keywords = scheme.id
    props = {PROP_SCHEME: scheme.id, **extra, PROP_VERSION: TEMPLATE_VERSION}
    if scheme.digest:  # which version of the rubric made it (a returned sheet is checked)
        props[PROP_RUBRIC_DIGEST] = scheme.digest
    for name, value in props.items():
        wb.custom_doc_props.append(StringProperty(name=name, value=value))


def _sentence(text: str) -> str:
    """``text`` ended with a full stop, so more can follow; empty stays empty."""
    return text + "。" if text and not text.endswith("。") else text


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows grouped: [3,4,5,9] → [(3,5),(9,9)]."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def _height(text: str, width: float, *, per_line: float = _LINE_PT) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width`` characters wide.

    A CJK character takes about two width units of the default font; explicit line breaks
    start new lines. Spreadsheet programs do not auto-fit rows of merged or generated cells."""
    capacity = max(1.0, width - 1)
    lines = 0
    for para in text.split("\n"):
        units = sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in para)
        lines += max(1, math.ceil(units / capacity))
    return lines * per_line + _PAD_PT


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


def _plain_no(no: int | str) -> int | str:
    return int(no) if isinstance(no, str) and no.isdigit() else no
