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
  (another id, and fewer than half its items this rubric's: the sheet is refused,
  ``scheme-mismatch``), the note says item by item how it differs from this rubric, so the
  office can decide to hand out this year's template. A template of another id whose items
  are mostly this rubric's (last year's, a copy's original) is read item by item by the annex
  kind with the functions below, each difference named on its item; it is not checked here.

And plain functions over a grid and the rubric's sheet, for the annex kind to decide what to
say: whether a row of another version's sheet is this rubric's item by its text, whether such a
sheet is this scheme's at all, a title naming another year, an item numbered ``三``.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from flowscore.contract import PROP_ASSESSOR, PROP_RUBRIC_DIGEST, PROP_SCHEME, PROP_SHEET, PROP_UNIT
from flowscore.inputs.kinds.base import ReadContext
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, ItemEntry
from flowscore.names import label
from flowscore.numbers import MEMO_TEXT, MEMO_TEXTS, fmt_plain, parse_number
from flowscore.rubric.model import Item, Scheme, Sheet

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
                # refused for its content (``same_scheme``): say so beside the numbers
                detail=f"：与本次细则“{ctx.scheme.id}”相比，{changes}；多数项目的考核内容不同"
                if changes
                else f"，各项的序号和分值与本次细则“{ctx.scheme.id}”相同，但多数项目的考核内容不同",
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


# -- another version of the scheme ------------------------------------------------------------

SAME_TEXT = 0.6  # difflib ratio from which two texts are the same item (as rows matched by text)
_COMPARED = 200  # characters of each text compared: a 32,767-character cell costs no more


def same_item(grid: Grid, r: int, roles: dict[str, int], item: Item) -> bool:
    """Whether row ``r`` is ``item`` by what it says: its 考核内容 is the item's name or text, or
    its 评分标准 the item's (equal once normalised, or nearly: the text of a target that
    changed from 95% to 96% is still the item)."""
    pairs: list[tuple[str, tuple[str, ...]]] = [
        (label(grid.value(r, roles["text"])), (item.short, item.text))
    ]
    if "criteria" in roles:
        pairs.append((label(grid.value(r, roles["criteria"])), (item.criteria or item.text,)))
    for written, targets in pairs:
        for target in (label(t) for t in targets if t):
            if written and written == target:
                return True
            if len(written) >= 8 and len(target) >= 8 and _close(written, target):
                return True
    return False


def _close(a: str, b: str) -> bool:
    m = difflib.SequenceMatcher(None, a[:_COMPARED], b[:_COMPARED], autojunk=False)
    return (
        m.real_quick_ratio() >= SAME_TEXT
        and m.quick_ratio() >= SAME_TEXT
        and (m.ratio() >= SAME_TEXT)
    )


def same_scheme(matched: int, sheet: Sheet) -> bool:
    """A sheet made from another rubric's template is of the same scheme when at least half of
    this rubric's items are on it (by number and text, or by text): then it is read item by
    item; fewer, and it is the form of another assessment."""
    return matched > 0 and 2 * matched >= len(sheet.items)


# -- another year -----------------------------------------------------------------------------

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_WORDS = ("考核", "评分", "细则", "考评")


def form_year(text: str) -> int | None:
    """The year a title names (``2018年度…考核评分表`` → 2018); None for other text (a date)."""
    if type(text) is str and len(text) <= MEMO_TEXT:
        return _short_form_year(text)  # the title lines above the header: in every sheet
    return _form_year(text)


@functools.lru_cache(maxsize=MEMO_TEXTS)
def _short_form_year(text: str) -> int | None:
    return _form_year(text)


def _form_year(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text)
    m = _YEAR.search(text)
    if m is None or not any(w in text for w in _TITLE_WORDS):
        return None
    return int(m.group(1))


def expected_year(scheme: Scheme, sheet: Sheet) -> int | None:
    """The year this rubric's form says: the one in its sheet's title, else the rubric's."""
    return form_year(sheet.title) or scheme.year


def title_year(grid: Grid, header: int) -> tuple[int, int, int] | None:
    """(year, row, col) of the first title above the header that names a year."""
    for r in range(header):
        for c, v in enumerate(grid.rows[r]):
            if isinstance(v, str) and (year := form_year(v)) is not None:
                return year, r, c
    return None


# -- 序号 written as a Chinese numeral --------------------------------------------------------

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = re.compile(r"^[（(]?([一二三四五六七八九十]{1,3})[)）、.．]?$")


def chinese_number(written: str) -> int | None:
    """``三`` → 3, ``十二`` → 12, ``（三）`` and ``三、`` too (1–99); None for anything else."""
    m = _NUMERAL.match(written.strip())
    if m is None:
        return None
    text = m.group(1)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS) or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def numbers_sections(sheet: Sheet, written: str) -> bool:
    """Whether the rubric numbers its items within sections named by this numeral
    (``三.1``, ``三、2``): then ``三`` alone is that section's heading."""
    key = written.strip().strip("（()）、.．")
    return any(str(it.no).startswith((key + ".", key + "、")) for it in sheet.items)


def is_category(sheet: Sheet, text: str) -> bool:
    """Whether a row's 考核内容 is one of the sheet's categories (a heading, not an item)."""
    written = label(text)
    return bool(written) and any(label(c.name) == written for c in sheet.categories)
