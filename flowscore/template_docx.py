"""The blank annex as a Word document (``flowscore template --format docx``).

Many offices hand the annex out as the Word document it was published in, and units fill it in
Word or WPS Writer. This writes that document for one unit, in the published layout, so it reads
back through ``inputs/open/docx.py`` exactly as the xlsx template does:

- ``附件1`` and the sheet's title, centred; ``检查单位：市财政局`` (a member department's
  field-inspection sheet) on the right; the seal line ``{seal_label}：{unit}`` with
  ``自评分合计：`` after a tab on a unit's own sheet (the unit writes its own sum there: Word
  computes nothing, and the 评价得分 is the office's — the published ``评价得分：`` invited a
  score the sheet cannot give);
- one table with the columns of the xlsx template (``template.annex_columns``: 序号 · 考核内容 ·
  分值 · 自评分 · 核定分 · 备注, or the sheet's own labels — Beilun's 自查分 · 考核分 and 评分标准
  — and 负责单位 for field inspections), its header row repeated on every page and no row split
  across pages; a row per category (Beilun) before its items; one row per item (``±20`` for
  ± rows); the 加分项目 / 减分项目 rows, whose scores are positive magnitudes as in the xlsx
  template; no 合计 row (Word computes nothing: the office's run does);
- below the table the footnotes (``备注：1.…``), the ``说明：`` line of the xlsx template
  (``template.annex_wording``) and ``填表人：`` / ``联系电话：`` / ``填报日期：`` on the right,
  each a line to write on. The reader reads no paragraph below a table;
- A4, landscape when the columns need it (the xlsx rule), 宋体 set for East Asian text
  (``w:eastAsia``) so Word, WPS and LibreOffice never substitute a Latin font, Chinese language;
- the identification custom document properties of the xlsx template (``flowscore.scheme``,
  ``flowscore.unit``, ``flowscore.sheet``, ``flowscore.template_version`` and
  ``flowscore.assessor`` when given), which Word, WPS and LibreOffice keep when they save.

The cells to fill are pale yellow (white on paper), the 核定分 nobody fills on this sheet grey,
as in the xlsx template (``template.verified_cell``): on a unit's sheet its 自评分, grey the
computed items' 核定分 (and another member department's) and of the 加分/减分 rows; on a
field-inspection sheet only the 核定分 of the department's own items, its 自评分 left plain.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from flowscore.contract import (
    PROP_ASSESSOR,
    PROP_SCHEME,
    PROP_SHEET,
    PROP_UNIT,
    PROP_VERSION,
    TEMPLATE_VERSION,
)
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import Item, Pool, Scheme, Sheet
from flowscore.template import (
    ASSESSOR_LINE,
    BONUS_LABEL,
    FONT_NAME,
    OWNER_ANY,
    PENALTY_LABEL,
    SIGNOFF_LABELS,
    AnnexColumn,
    VerifiedCell,
    annex_columns,
    annex_wording,
    resolve_assessor,
    resolve_unit,
    verified_cell,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

LATIN_FONT = "Times New Roman"
_HEAD_FILL = "D9D9D9"
_INPUT_FILL = "FFF9E5"
_NA_FILL = "BFBFBF"
_CATEGORY_FILL = "EDEDED"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the user-defined property set
_LEFT_ROLES = ("text", "criteria", "remark")
_NARROW_CM = {"no": 1.2, "max": 1.5, "self": 1.7, "verified": 1.7, "owner": 2.2, "remark": 2.4}


def build_annex_docx(
    scheme: Scheme,
    unit_name: str,
    *,
    assessor: str | None = None,
    when: dt.datetime | None = None,
) -> DocxDocument:
    """The blank annex of one unit as a python-docx Document (see module doc). ``when``: the
    creation time written in the core properties (now by default)."""
    import docx

    unit = resolve_unit(scheme, unit_name)
    sheet = scheme.sheet(unit.sheet)
    who = resolve_assessor(scheme, assessor) if assessor else None
    columns = annex_columns(sheet)
    document = docx.Document()
    landscape = sum(c.width for c in columns) > 120
    width_cm = _page(document, landscape=landscape)
    _styles(document)
    total_label, note = annex_wording(scheme, sheet, assessor=who)
    _heading(document, sheet, unit.name, who, width_cm, total_label)
    _table(document, scheme, sheet, columns, who, width_cm)
    _footnotes(document, sheet, note)
    _signoff(document, width_cm)
    props = {PROP_SCHEME: scheme.id, PROP_UNIT: unit.name, PROP_SHEET: sheet.id}
    if who:
        props[PROP_ASSESSOR] = who
    props[PROP_VERSION] = TEMPLATE_VERSION
    _custom_properties(document, props)
    core = document.core_properties
    core.title = f"{sheet.annex} {sheet.title}".strip()
    core.subject = f"{unit.name} {sheet.annex}{'（' + who + '检查）' if who else ''}".strip()
    core.author = core.last_modified_by = "flowscore"
    core.keywords = scheme.id
    core.comments = ""
    core.revision = 1
    stamp = when or dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    core.created = core.modified = stamp
    core.last_printed = stamp
    return document


# -- page and styles -----------------------------------------------------------------------------


def _page(document: DocxDocument, *, landscape: bool) -> float:
    """A4 with 2 cm margins (2.2 top and bottom); the text width in cm."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = document.sections[0]
    long, short = Cm(29.7), Cm(21.0)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.2)
    return (29.7 if landscape else 21.0) - 4.0


def _fonts(r_pr: Any, *, east_asia: str = FONT_NAME) -> None:
    """Latin and East Asian fonts on a run's (or style's) properties, language zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(document: DocxDocument) -> None:
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    _fonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.15


def _run(paragraph: Any, text: str, *, size: float | None = None, bold: bool = False) -> Any:
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    _fonts(run._r.get_or_add_rPr())
    return run


# -- above the table -----------------------------------------------------------------------------


def _heading(
    document: DocxDocument,
    sheet: Sheet,
    unit: str,
    assessor: str | None,
    width_cm: float,
    total_label: str,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt

    p = document.add_paragraph()
    _run(p, sheet.annex or "附件", size=12, bold=True)
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(12)
    _run(p, sheet.title, size=16, bold=True)
    if assessor:
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(p, f"{ASSESSOR_LINE}{assessor}", bold=True)
    p = document.add_paragraph()
    p.paragraph_format.space_after = Pt(6)
    p.paragraph_format.tab_stops.add_tab_stop(Cm(width_cm * 0.68), WD_TAB_ALIGNMENT.LEFT)
    _run(p, f"{sheet.seal_label}：{unit}")
    if total_label:  # an inspection sheet totals nothing
        _run(p, "\t" + total_label)


# -- the table -----------------------------------------------------------------------------------


def _table(
    document: DocxDocument,
    scheme: Scheme,
    sheet: Sheet,
    columns: tuple[AnnexColumn, ...],
    assessor: str | None,
    width_cm: float,
) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    widths = [Cm(w) for w in column_widths(columns, width_cm)]
    table = document.add_table(rows=0, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w
    header = _row(table, widths, repeat=True)
    for cell, column in zip(header, columns, strict=True):
        _put(cell, column.label, bold=True, center=True, fill=_HEAD_FILL)
    roles = [c.role for c in columns]
    categories = {c.name: c for c in sheet.categories}
    shown: set[str] = set()
    for item in sheet.items:
        if item.category in categories and item.category not in shown:
            shown.add(item.category)
            _category_row(table, widths, roles, sheet, item.category)
        state = verified_cell(scheme, item, assessor=assessor)
        _item_row(table, widths, roles, item, state, own_sheet=assessor is None)
    for pool, label in ((sheet.bonus, BONUS_LABEL), (sheet.penalty, PENALTY_LABEL)):
        if pool is not None:
            _pool_row(table, widths, roles, pool, label, own_sheet=assessor is None)


def column_widths(columns: tuple[AnnexColumn, ...], width_cm: float) -> list[float]:
    """Widths in cm: the short columns as wide as their header at 10.5 pt needs (自评分 on one
    line), the text columns sharing the rest as in the xlsx template."""
    fixed = {c.role: _NARROW_CM[c.role] for c in columns if c.role in _NARROW_CM}
    wide = [c for c in columns if c.role not in _NARROW_CM]
    rest = width_cm - sum(fixed.values())
    total = sum(c.width for c in wide) or 1
    return [fixed.get(c.role) or rest * c.width / total for c in columns]


def _fixed_layout(table: Any) -> None:
    """``w:tblLayout fixed``: the widths given, not Word's or LibreOffice's auto-fit."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _row(table: Any, widths: list[Any], *, repeat: bool = False) -> list[Any]:
    """A new row that never splits across pages (the header: repeated on every page)."""
    from docx.oxml import OxmlElement

    row = table.add_row()
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat:
        tr_pr.append(OxmlElement("w:tblHeader"))
    cells = list(row.cells)
    for cell, w in zip(cells, widths, strict=True):
        cell.width = w
    return cells


def _put(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    center: bool = False,
    fill: str | None = None,
) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        _run(p, text, bold=bold)
    if fill:
        _shade(cell, fill)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _category_row(table: Any, widths: list[Any], roles: list[str], sheet: Sheet, name: str) -> None:
    category = next(c for c in sheet.categories if c.name == name)
    items = [it for it in sheet.items if it.category == name]
    if category.min is not None and category.min < 0:
        top = category.max if category.max is not None else Decimal(0)
        max_text = f"{fmt_plain(category.min)}～{fmt_plain(top)}"
    elif category.max is not None:
        max_text = fmt_plain(category.max)
    else:
        max_text = fmt_plain(sum((it.max for it in items if not it.extra), Decimal(0)))
    for cell, role in zip(_row(table, widths), roles, strict=True):
        text = name if role == "text" else max_text if role == "max" else ""
        _put(cell, text, bold=True, center=role != "text", fill=_CATEGORY_FILL)


def _item_row(
    table: Any,
    widths: list[Any],
    roles: list[str],
    item: Item,
    verified: VerifiedCell,
    *,
    own_sheet: bool,
) -> None:
    has_criteria = "criteria" in roles
    for cell, role in zip(_row(table, widths), roles, strict=True):
        text = ""
        if role == "no":
            text = str(item.no)
        elif role == "text":
            # As in the xlsx template: an item whose only text is its criterion (Beilun) shows
            # its short name here and the full text under 评分标准.
            text = item.text if not has_criteria or item.criteria else (item.short or item.text)
        elif role == "criteria":
            text = item.criteria or item.text
        elif role == "max":
            text = item.max_label if item.is_adjustment or item.extra else fmt_plain(item.max)
        elif role == "owner":
            text = item.owner or OWNER_ANY
        fill = None
        if role == "self" and own_sheet:  # an inspection sheet leaves 自评分 alone
            fill = _INPUT_FILL
        elif role == "verified":
            fill = {"fill": _INPUT_FILL, "computed": _NA_FILL, "other": _NA_FILL}.get(verified)
        _put(cell, text, center=role not in _LEFT_ROLES, fill=fill)


def _pool_row(
    table: Any, widths: list[Any], roles: list[str], pool: Pool, label: str, *, own_sheet: bool
) -> None:
    sign = "+" if pool.kind == "bonus" else "-"
    text_role = "criteria" if "criteria" in roles else "text"
    for i, (cell, role) in enumerate(zip(_row(table, widths), roles, strict=True)):
        text = ""
        if i == 0:
            text = label
        elif role == text_role:
            text = pool.text
        elif role == "max":
            text = f"{sign}{fmt_plain(pool.min)}～{fmt_plain(pool.max)}"
        fill = None
        if role == "self" and own_sheet:
            fill = _INPUT_FILL
        elif role == "verified":  # bonus and penalty come from the office's register
            fill = _NA_FILL
        _put(cell, text, bold=i == 0, center=role not in _LEFT_ROLES, fill=fill)


# -- below the table and the package ------------------------------------------------------------


def _footnotes(document: DocxDocument, sheet: Sheet, note: str) -> None:
    from docx.shared import Pt

    for i, text in enumerate(
        [*(f"备注：{n}" if i == 0 else n for i, n in enumerate(sheet.footnotes)), note]
    ):
        p = document.add_paragraph()
        if i == 0:
            p.paragraph_format.space_before = Pt(6)
        _run(p, text, size=9)


def _signoff(document: DocxDocument, width_cm: float) -> None:
    """填表人 / 联系电话 / 填报日期 on the right, as on government forms: each label followed by
    a line to the margin (a tab with an underscore leader, which shortens as one writes)."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Cm, Pt

    for i, label in enumerate(SIGNOFF_LABELS):
        p = document.add_paragraph()
        fmt = p.paragraph_format
        fmt.left_indent = Cm(width_cm * 0.6)
        fmt.space_before = Pt(18 if i == 0 else 8)
        fmt.tab_stops.add_tab_stop(Cm(width_cm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.LINES)
        _run(p, label + "\t")


def _custom_properties(document: DocxDocument, props: dict[str, str]) -> None:
    """``docProps/custom.xml`` (python-docx writes no custom properties of its own)."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    body = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name)}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.items(), start=2)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{body}</Properties>'
    )
    package = document.part.package
    part = Part(
        PackURI("/docProps/custom.xml"),
        CONTENT_TYPE.OFC_CUSTOM_PROPERTIES,
        xml.encode("utf-8"),
        package,
    )
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)
