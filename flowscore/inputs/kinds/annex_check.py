"""Is a returned score sheet the sheet the rubric describes? The annex kind (``annex.py``) calls
``check_annex`` once per sheet it reads; the findings name what was altered, item by item.

- **分值** of a sheet made by ``flowscore template`` (it carries the scheme in its document
  properties): an item whose 分值 cell says another number than the rubric's
  (``template-altered``, max). Scoring always uses the rubric's 分值, so this only says that
  the unit saw another one. A sheet typed by hand is not checked: the published forms put a
  whole category's points in that column (北仑).
- **rows** of a template: rows deleted (items the rubric has that the sheet lacks) and rows added
  (numbered rows the rubric does not have), in one finding naming every 序号.
- **version**: the template records the content hash of the rubric that made it. Made from
  another version of the same rubric, the sheet is said to be so (a note, when its items
  still match; the differences are the findings above). Made from another rubric altogether
  (another year's id: the sheet is refused, ``scheme-mismatch``), the note says item by item
  how it differs from this rubric, so the office can decide to hand out this year's template.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from flowscore.contract import PROP_ASSESSOR, PROP_RUBRIC_DIGEST, PROP_SCHEME, PROP_SHEET, PROP_UNIT
from flowscore.inputs.kinds.base import ReadContext
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, ItemEntry
from flowscore.names import label
from flowscore.numbers import fmt_plain, parse_number
from flowscore.rubric.model import Item, Sheet

_NUMBERED = re.compile(r"[0-9]+|[一二三四五六七八九十]+[.、][0-9]+")


def is_template(wb: WorkbookData) -> bool:
    """Made by ``flowscore template`` (its identification properties survived)."""
    props = wb.props
    return bool(props.get(PROP_SCHEME)) and bool(
        props.get(PROP_UNIT) or props.get(PROP_SHEET) or props.get(PROP_ASSESSOR)
    )


def check_annex(
    ctx: ReadContext,
    grid: Grid,
    wb: WorkbookData,
    display: str,
    unit: str,
    sheet: Sheet,
    header: int,
    roles: Mapping[str, int],
    items: Mapping[str, ItemEntry] | None,
    inputs: Inputs,
    *,
    other_scheme: str = "",
) -> None:
    """The findings on one annex sheet's 分值, rows and rubric version. ``items``: the rows the
    annex kind matched to items (None when it refused the sheet — ``other_scheme`` names the
    rubric that made it — and the rows are found here by their 序号)."""
    template = is_template(wb)
    if not template and not other_scheme:
        return  # a sheet typed by hand: nothing of a template's to compare
    by_no = {str(it.no): it for it in sheet.items}
    rows = {no: e.row for no, e in items.items()} if items is not None else None
    added: list[str] = []
    if rows is None or "no" in roles:
        known = frozenset(rows.values()) if rows is not None else frozenset()
        found, added = _numbered_rows(grid, header, roles, by_no, known)
        rows = found if rows is None else rows
    # a sheet typed by hand follows the published form, whose 分值 column may hold a whole
    # category's points (北仑): only a template's 分值 are the rubric's, row by row
    maxes = _max_differences(grid, by_no, roles, rows) if template else []
    deleted = [it for it in sheet.items if str(it.no) not in rows] if template else []
    if not template:
        added = []
    if other_scheme:
        if template:
            changes = _changes(maxes, deleted, added, grid)
            inputs.report(
                "template-altered",
                "version",
                file=display,
                sheet=grid.name,
                unit=unit,
                scheme=other_scheme,
                detail=f"：与本次细则“{ctx.scheme.id}”相比，{changes}"
                if changes
                else f"，各项的序号和分值与本次细则“{ctx.scheme.id}”相同",
            )
        return
    for item, written, r in maxes:
        inputs.report(
            "template-altered",
            "max",
            file=display,
            sheet=grid.name,
            cell=grid.ref(r, roles["max"]),
            unit=unit,
            label=f"序号{item.no}（{item.short or item.text[:10]}）",
            written=written,
            max=item.max_label,
        )
    if deleted or added:
        inputs.report(
            "template-altered",
            "rows",
            file=display,
            sheet=grid.name,
            unit=unit,
            changes=_changes([], deleted, added, grid),
        )
    digest = wb.props.get(PROP_RUBRIC_DIGEST, "")
    if template and digest and ctx.scheme.digest and digest != ctx.scheme.digest:
        same = not maxes and not deleted and not added
        inputs.report(
            "template-altered",
            "version",
            file=display,
            sheet=grid.name,
            unit=unit,
            scheme=ctx.scheme.id,
            detail="，本表各项的序号和分值与本次细则相同" if same else "，改动之处见其他提示",
        )


def _changes(
    maxes: list[tuple[Item, str, int]], deleted: list[Item], added: list[str], grid: Grid
) -> str:
    parts = [f"序号{it.no}的分值为 {written}（本次 {it.max_label}）" for it, written, _r in maxes]
    if deleted:
        parts.append(
            "删去了" + "、".join(f"序号{it.no}（{it.short or it.text[:10]}）" for it in deleted)
        )
    if added:
        parts.append("增加了" + "、".join(f"序号{no}" for no in added))
    return "；".join(parts)


def _numbered_rows(
    grid: Grid,
    header: int,
    roles: Mapping[str, int],
    by_no: Mapping[str, Item],
    known: frozenset[int] = frozenset(),
) -> tuple[dict[str, int], list[str]]:
    """(item no → its row, numbered rows the rubric's sheet does not have) by the 序号 column;
    rows in ``known`` are items already (not looked at again)."""
    col = roles.get("no")
    found: dict[str, int] = {}
    added: list[str] = []
    if col is None:
        return found, added
    for r in range(header + 1, grid.height):
        if r in known:
            continue
        no = _no(grid.value(r, col))
        if no is None or no in found:
            continue
        if no in by_no:
            found[no] = r
        elif _NUMBERED.fullmatch(no) and no not in added:
            added.append(no)
    return found, added


def _no(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = label(value)
    return text or None


def _max_differences(
    grid: Grid, by_no: Mapping[str, Item], roles: Mapping[str, int], rows: Mapping[str, int]
) -> list[tuple[Item, str, int]]:
    """(item, what its 分值 cell says, row) for every item row whose 分值 is another number."""
    col = roles.get("max")
    if col is None:
        return []
    out = []
    for no, r in rows.items():
        item = by_no.get(no)
        value = grid.value(r, col)
        if item is None or value is None or _same_max(item, value):
            continue
        out.append(
            (
                item,
                str(value).strip()
                if not isinstance(value, float)
                else fmt_plain(Decimal(repr(value))),
                r,
            )
        )
    return out


def _same_max(item: Item, value: object) -> bool:
    """Whether a 分值 cell says the item's 分值: its number (30, "30", "30分", "３０") or its label
    (±20, 加分项); text that is no 分值 at all (a note) is not taken as an alteration."""
    if type(value) is float or type(value) is int:  # the usual cell: compared as it is
        return (
            value == float(item.max)
            if item.capped and not item.is_adjustment
            else (value in (float(item.max), -float(item.min)))
        )
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().removesuffix("分").strip()
        if label(text) in {label(item.max_label), label(fmt_plain(item.max))}:
            return True
        value = text
    p = parse_number(value)
    if not p.ok or p.value is None or p.is_percent:
        return True  # not a number: nothing to compare (a hand-made sheet's odd cell)
    if item.is_adjustment or item.extra or not item.capped:
        return p.value in (item.max, -item.min)
    return p.value == item.max
