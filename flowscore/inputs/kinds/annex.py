"""Annex score sheets (附件1, 附件2, Beilun's 评分细则, the provincial 评分表): their header row, the
unit they belong to, and one record per item row.

A sheet is an annex sheet when a header row in its first rows has 考核内容 and 分值 and 自评分 or
核定分 (as the rubric's ``[headers.annex]`` labels them). The unit comes from the template's
document property, else the seal line (…(盖章)：单位), else the file name. Rows are matched to
items by 序号; a row without one (the published 附件2 and Beilun layouts) by its text. Rows under
another department's 考核部门 (the published 附件2, one table for all nine departments, returned
whole) are not the unit's items.

A template of another rubric (last year's, or the one a rubric was copied from) is read against
this one item by item: a numbered row is the item only when its text says so too, else the item
its text is; what does not match is a finding on that item or row (``annex_check``). Only a
sheet with fewer than half the items is another assessment's, refused whole. Each item records
why its 核定分 is missing when the cell is not simply blank (text that is no score, a merged
cell), so the pending item says what is there.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.contract import PROP_ASSESSOR, PROP_SCHEME, PROP_UNIT
from flowscore.inputs.kinds import annex_check as checks
from flowscore.inputs.kinds.annex_check import check_annex
from flowscore.inputs.kinds.base import ReadContext, quote, roles_of
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import AnnexSheet, Inputs, ItemEntry
from flowscore.names import label, norm
from flowscore.numbers import MEMO_TEXT, MEMO_TEXTS, fmt_plain, parse_number
from flowscore.rubric.model import Item, Sheet

# Character pairs (len(a) × len(b)) one file may spend on difflib's exact ratio when matching rows
# without 序号 by their text: ~40 million pairs a second, so about half a second. A published
# Beilun sheet (16 rows, 16 items of ~90 characters) spends about 0.3 million.
MATCH_BUDGET = 20_000_000

_SEAL = re.compile(r"盖章\)?[:：]?\s*[:：]\s*(.*)$")
# What may follow the unit on the seal line: the published 评价得分：, or the total the templates
# print there since version 2 (自评分合计：, Beilun's 自查分合计：) — never part of the name.
_AFTER_SEAL = re.compile(r"评价得分|自评分合计|自查分合计")
_ASSESSOR = re.compile(r"^(?:检查单位|考核单位|评分单位|考评单位)[:：]\s*(.+)$")


class AnnexKind:
    name = "annex"

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self._budget_file = ""  # the file whose rows are being matched by text, and
        self._budget = MATCH_BUDGET  # what it may still spend on exact ratios

    def detect(self, labels: list[str]) -> dict[str, int] | None:
        roles = roles_of(labels, self.ctx.annex_labels)
        if "text" in roles and "max" in roles and ("self" in roles or "verified" in roles):
            return roles
        return None

    def _annex_unit(
        self, grid: Grid, wb: WorkbookData, display: str, header: int, inputs: Inputs
    ) -> str | None:
        prop = wb.props.get(PROP_UNIT, "")
        if prop and self.ctx.roster.find(prop):
            return self.ctx.roster.find(prop)
        written = ""
        where = ""
        for r in range(header):
            for c, v in enumerate(grid.rows[r]):
                text = unicodedata.normalize("NFKC", str(v)) if v not in (None, "") else ""
                m = _SEAL.search(text.replace("\n", " "))
                if "盖章" in text and m:
                    name = _AFTER_SEAL.split(m.group(1))[0].strip()
                    if not name:  # typed in the next non-empty cell, before the total
                        for x in grid.rows[r][c + 1 :]:
                            cell = "" if x is None else str(x).strip()
                            if _AFTER_SEAL.search(cell):
                                break  # the total's label, then its figure: no name
                            if cell:
                                name = cell
                                break
                    if name:
                        written, where = name, grid.ref(r, c)
                        break
            if written:
                break
        if written:
            unit = self.ctx.roster.find(written) or self.ctx.roster.find_in(written)
            if unit:
                return unit
            close = "、".join(self.ctx.roster.closest(written)) or "（无相近名称）"
            inputs.report(
                "unknown-unit",
                "seal",
                file=display,
                sheet=grid.name,
                cell=where,
                unit=written,
                written=written,
                close=close,
            )
            return None
        unit = self.ctx.roster.find_in(Path(display).stem)
        if unit:
            inputs.report("unit-from-filename", file=display, sheet=grid.name, unit=unit)
            return unit
        inputs.report("unit-unknown-sheet", file=display, sheet=grid.name)
        return None

    def read(
        self,
        grid: Grid,
        wb: WorkbookData,
        display: str,
        header: int,
        roles: dict[str, int],
        inputs: Inputs,
    ) -> None:
        unit = self._annex_unit(grid, wb, display, header, inputs)
        if unit is None:
            return
        scheme = self.ctx.scheme
        u = scheme.unit(unit)
        assert u is not None
        at = _At(
            grid=grid,
            display=display,
            unit=unit,
            sheet=scheme.sheet(u.sheet),
            roles=roles,
            arabic=_arabic_numbers(grid, header, roles.get("no")),
        )
        found = wb.props.get(PROP_SCHEME, "")
        # A template of another rubric (last year's, or this year's before it was copied) is
        # read against this one item by item; its findings wait until it is known to be of the
        # same scheme, since the sheet of another assessment is refused whole.
        foreign = bool(found) and found != scheme.id
        held = Inputs()
        rows = self._rows(at, header, held, checked=foreign)
        names: dict[str, Any] = {"found": found, "used": scheme.id, "count": len(at.sheet.items)}
        if foreign and not checks.same_scheme(len(rows.items), at.sheet):
            at.report(inputs, "scheme-mismatch", matched=len(rows.items), **names)
            # how it differs from this rubric, item by item (annex_check.py)
            check_annex(
                self.ctx,
                grid,
                wb,
                display,
                unit,
                at.sheet,
                header,
                roles,
                None,
                inputs,
                other_scheme=found,
            )
            return
        if foreign:
            at.report(inputs, "scheme-other-version", matched=len(rows.items), **names)
        inputs.findings.extend(held.findings)
        self._title_year(at, header, inputs)
        assessor = self._assessor(grid, wb, header)
        if not assessor:  # a member department's inspection sheet has no 自评分 column to fill
            self._self_scores(at, header, rows.items, inputs)
        for item in at.sheet.items:
            if str(item.no) not in rows.items:
                short = item.short or item.text[:12]
                at.report(
                    inputs,
                    "item-missing",
                    "version" if foreign else "",
                    no=item.no,
                    short=short,
                    **names,
                )
        if not foreign:
            # 分值 altered, rows deleted or added, another version of the rubric under the same
            # id (annex_check.py); another id's version has said so item by item above
            check_annex(
                self.ctx, grid, wb, display, unit, at.sheet, header, roles, rows.items, inputs
            )
        inputs.annexes.append(
            AnnexSheet(
                unit=unit,
                sheet_id=at.sheet.id,
                file=display,
                assessor=assessor,
                sheet=grid.name,
                items=rows.items,
                scheme_id=found,
                bonus_self=rows.bonus_self,
                penalty_self=rows.penalty_self,
            )
        )

    def _rows(self, at: _At, header: int, inputs: Inputs, *, checked: bool) -> _Rows:
        """The sheet's item rows below its header, and its 加分/减分 lines. ``checked``: the
        sheet is another rubric's form, so a numbered row is this rubric's item only when its
        text says so too."""
        grid, roles, unit = at.grid, at.roles, at.unit
        items: dict[str, ItemEntry] = {}
        bonus_self = penalty_self = None
        no_col = roles.get("no")
        lead_cols = [c for c in (no_col, roles.get("dept"), roles["text"]) if c is not None]
        dept_col = roles.get("dept")
        row_dept: str | None = None  # the 考核部门 the row is under (a merged cell names it once)
        for r in range(header + 1, grid.height):
            written = _item_no(grid.value(r, no_col)) if no_col is not None else None
            # A numbered row is an item; only other rows can be the 加分/减分 lines.
            lead = (
                ""
                if written is not None and written.isdigit()
                else " ".join(label(grid.value(r, c)) for c in lead_cols)
            )
            if lead.startswith("加分") or (written or "").startswith("加分"):
                bonus_self = self._score(at, r, "self", inputs, allow_negative=False)
                continue
            if lead.startswith("减分") or (written or "").startswith("减分"):
                penalty_self = self._score(at, r, "self", inputs, allow_negative=True)
                continue
            if dept_col is not None:
                # The published 附件2 is one table for all nine departments: a department may
                # return it whole, its own rows filled. Other departments' rows are not its items.
                written_dept = grid.text(r, dept_col)
                if written_dept:
                    row_dept = self.ctx.roster.find(written_dept)
                if row_dept is not None and row_dept != unit:
                    continue
            no = self._item_of_row(at, r, written, items, inputs, checked=checked)
            if no is None:
                continue
            if no in items:
                at.report(
                    inputs,
                    "duplicate-item",
                    cell=grid.ref(r, no_col if no_col is not None else roles["text"]),
                    no=no,
                    first=grid.row_name(items[no].row),
                    second=grid.row_name(r),
                )
                continue
            item = at.sheet.item(no)
            assert item is not None
            if checked:
                self._check_max(at, r, item, inputs)
            items[no] = self._entry(at, r, item, inputs)
        return _Rows(items=items, bonus_self=bonus_self, penalty_self=penalty_self)

    def _item_of_row(
        self,
        at: _At,
        r: int,
        written: str | None,
        items: dict[str, ItemEntry],
        inputs: Inputs,
        *,
        checked: bool,
    ) -> str | None:
        """The item row ``r`` holds (its 序号 as written, else by its text), or None for a row
        that holds none (a title, a category, a row reported here)."""
        grid, roles, sheet = at.grid, at.roles, at.sheet
        no_col = roles.get("no")
        if written is not None and not sheet.item(written):
            written = self._numeral(at, r, written, inputs)
            if written is None:
                return None
        item = sheet.item(written) if written is not None else None
        if written is not None and item is not None:
            if checked and not checks.same_item(grid, r, roles, item):
                return self._renumbered(at, r, written, items, inputs)
            return written
        if written is not None and no_col is not None:
            if checked and _looks_numbered(written):  # another version's item: by its text
                return self._renumbered(at, r, written, items, inputs)
            if _looks_numbered(written):
                at.report(
                    inputs,
                    "unknown-item",
                    cell=grid.ref(r, no_col),
                    no=written,
                    title=sheet.title,
                    count=len(sheet.items),
                )
            return None
        return self._by_text(at, r, inputs)

    def _by_text(self, at: _At, r: int, inputs: Inputs) -> str | None:
        no, problem = self._match_by_text(at.grid, r, at.roles, at.sheet, at.display)
        if problem is not None:
            variant, fields = problem
            at.report(
                inputs,
                "text-match-limit" if variant == "limit" else "unmatched-row",
                "" if variant == "limit" else variant,
                cell=at.grid.ref(r, at.roles.get("criteria", at.roles["text"])),
                **fields,
            )
        return no

    def _renumbered(
        self, at: _At, r: int, written: str, items: dict[str, ItemEntry], inputs: Inputs
    ) -> str | None:
        """A row of another rubric's form whose 序号 is this rubric's item of other content: the
        item its text is (said), or none (said: the item was dropped or rewritten)."""
        grid, roles = at.grid, at.roles
        no, _problem = self._match_by_text(grid, r, roles, at.sheet, at.display)
        cell = grid.ref(r, roles.get("no", roles["text"]))
        if no is not None and no not in items and no != written:
            item = at.sheet.item(no)
            assert item is not None
            at.report(
                inputs,
                "item-renumbered",
                cell=cell,
                row=grid.row_name(r),
                no=written,
                to=no,
                short=item.short or item.text[:12],
            )
            return no
        if no == written:
            return no
        text = label(grid.value(r, roles["text"])) or label(
            grid.value(r, roles.get("criteria", roles["text"]))
        )
        at.report(
            inputs,
            "unmatched-row",
            "version",
            cell=cell,
            row=grid.row_name(r),
            no=written,
            text=text[:20],
            used=self.ctx.scheme.id,
        )
        return None

    def _numeral(self, at: _At, r: int, written: str, inputs: Inputs) -> str | None:
        """A 序号 written as a Chinese numeral (``三`` where the rubric has 3): that item when
        unambiguous (a note says so), else the written text as it was — or None for a row
        that is a heading (``三`` of a rubric numbering ``三.1``, a category) or is reported."""
        n = checks.chinese_number(written)
        if n is None:
            return written
        grid, roles, sheet = at.grid, at.roles, at.sheet
        target = sheet.item(str(n))
        sections = checks.numbers_sections(sheet, written)
        # a section heading (一、基础工作) beside items numbered 1, 2, …: the sheet writes the
        # item's own number too, so this row is not it
        heading = (
            sections
            or str(n) in at.arabic
            or checks.is_category(sheet, grid.text(r, roles["text"]))
        )
        cell = grid.ref(r, roles.get("no", roles["text"]))
        if target is None or (heading and not sections):
            if not heading and self._has_score(grid, r, roles):
                at.report(
                    inputs,
                    "unknown-item",
                    cell=cell,
                    no=written,
                    title=sheet.title,
                    count=len(sheet.items),
                )
            return None
        if sections:  # both 3 and 三.1 in the rubric: which one is meant cannot be known
            at.report(inputs, "unknown-item", "numeral", cell=cell, no=written, guess=n)
            return None
        at.report(
            inputs,
            "item-numeral",
            cell=cell,
            no=written,
            to=n,
            short=target.short or target.text[:12],
        )
        return str(n)

    @staticmethod
    def _has_score(grid: Grid, r: int, roles: dict[str, int]) -> bool:
        return any(grid.value(r, roles[k]) is not None for k in ("self", "verified") if k in roles)

    def _check_max(self, at: _At, r: int, item: Item, inputs: Inputs) -> None:
        """Another version's form may print another 分值: the rubric's counts, said once."""
        col = at.roles.get("max")
        if col is None:
            return
        p = parse_number(at.grid.value(r, col))
        if p.ok and p.value is not None and not p.is_percent and p.value != item.max:
            at.report(
                inputs,
                "max-differs",
                cell=at.grid.ref(r, col),
                no=item.no,
                short=item.short or item.text[:12],
                written=fmt_plain(p.value),
                max=item.max_label,
            )

    def _entry(self, at: _At, r: int, item: Item, inputs: Inputs) -> ItemEntry:
        grid, roles = at.grid, at.roles
        negative = item.is_adjustment
        entered = self._score(at, r, "verified", inputs, allow_negative=negative)
        vcol = roles.get("verified")
        text = merged = ""
        if vcol is not None and entered is None:
            # Why there is no score, for the pending item to say (not “为空” for 90%)
            text = grid.text(r, vcol)[:30]
            origin = grid.merged_into(r, vcol) if not text else None
            merged = grid.ref(*origin) if origin is not None else ""
        return ItemEntry(
            no=str(item.no),
            self_score=self._score(at, r, "self", inputs, allow_negative=negative),
            entered=entered,
            remark=grid.text(r, roles["remark"]) if "remark" in roles else "",
            row=r,
            self_cell=grid.ref(r, roles["self"]) if "self" in roles else "",
            verified_cell=grid.ref(r, vcol) if vcol is not None else "",
            verified_text=text,
            verified_merged=merged,
        )

    def _title_year(self, at: _At, header: int, inputs: Inputs) -> None:
        """A title naming another year than this rubric's form (a form kept from last year)."""
        expected = checks.expected_year(self.ctx.scheme, at.sheet)
        found = checks.title_year(at.grid, header)
        if expected is None or found is None or found[0] == expected:
            return
        year, r, c = found
        at.report(
            inputs,
            "annex-other-year",
            cell=at.grid.ref(r, c),
            title=at.grid.text(r, c)[:40],
            found=year,
            year=expected,
        )

    def _self_scores(
        self, at: _At, header: int, items: dict[str, ItemEntry], inputs: Inputs
    ) -> None:
        """A unit's sheet whose every 自评分 cell is blank (a blank form returned, perhaps)."""
        grid, roles = at.grid, at.roles
        col = roles.get("self")
        if col is None or not items:
            return
        if any(grid.value(e.row, col) is not None for e in items.values()):
            return
        vcol = roles.get("verified")
        blank = vcol is None or all(grid.value(e.row, vcol) is None for e in items.values())
        at.report(
            inputs,
            "no-self-scores",
            "blank" if blank else "",
            cell=grid.ref(header, col),
            count=len(items),
            slabel=at.column("self"),
            vlabel=at.column("verified"),
        )

    def _assessor(self, grid: Grid, wb: WorkbookData, header: int) -> str:
        """Who filled the 核定分: a ``检查单位：市财政局`` line above the header (or the template's
        property). Empty for a unit's own sheet."""
        written = wb.props.get(PROP_ASSESSOR, "")
        if not written:
            for r in range(header):
                for v in grid.rows[r]:
                    found = _assessor_in(v) if v else None
                    if found is not None:
                        written = found
                        break
                if written:
                    break
        if not written:
            return ""
        for name in self.ctx.scheme.assessors:
            if norm(name) == norm(written):
                return name
        return written

    def _match_by_text(
        self, grid: Grid, r: int, roles: dict[str, int], sheet: Sheet, display: str
    ) -> tuple[str | None, tuple[str, dict[str, object]] | None]:
        """A row without 序号 (the published 附件2 and Beilun layouts): its item by its 评分标准
        (or 考核内容) text, copied from the published form perhaps with small edits. Returns
        (item number, problem): a row that looks like an item but matches none, or two equally,
        is a problem; short texts (titles, category names) are no rows at all.

        The work is bounded: difflib's exact ratio costs about len(a) × len(b), so candidates are
        first bounded from above by length (``real_quick_ratio``, free) and by the characters
        they share (``quick_ratio``), and only those that could still decide the match get the
        exact ratio — the outcome is the same as comparing with every item. What a file may
        spend in exact ratios is capped (``MATCH_BUDGET`` character pairs, about half a second):
        past it the remaining rows of the file are not matched, and one finding says so (a 13 KB
        file repeating a 32,767-character text in 3,000 rows took 142 s before)."""
        col = roles.get("criteria", roles["text"])
        text = label(grid.value(r, col))
        if len(text) < 8 or text.startswith("备注"):
            return None, None
        if self._budget_file != display:
            self._budget_file, self._budget = display, MATCH_BUDGET
        if self._budget <= 0:
            return None, None  # said once, where the budget ran out
        bounds = []
        for item in sheet.items:
            target = label(item.criteria or item.text) if "criteria" in roles else label(item.text)
            m = difflib.SequenceMatcher(None, text, target, autojunk=False)
            ub = m.real_quick_ratio()
            if ub >= 0.55:
                ub = m.quick_ratio()
            bounds.append((ub, str(item.no), m, len(target)))
        bounds.sort(key=lambda x: -x[0])
        scored: list[tuple[float, str]] = []
        best_ratio, best = 0.0, ""
        for ub, no, m, size in bounds:
            if ub < max(0.6, best_ratio) - 0.05:
                break  # neither this item nor any after it can change the outcome
            self._budget -= len(text) * size
            if self._budget < 0:
                return None, ("limit", {"row": grid.row_name(r)})
            ratio = m.ratio()
            scored.append((ratio, no))
            best_ratio = max(best_ratio, ratio)
        scored.sort(reverse=True)
        if scored:
            best_ratio, best = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if best_ratio >= 0.6 and best_ratio - second > 0.05:
            return best, None
        if best_ratio >= 0.6:
            return None, (
                "ambiguous",
                {"row": grid.row_name(r), "first": best, "second": scored[1][1]},
            )
        has_score = any(
            grid.value(r, roles[k]) is not None for k in ("self", "verified") if k in roles
        )
        if has_score:
            return None, ("", {"row": grid.row_name(r), "text": text[:20]})
        return None, None

    def _score(
        self, at: _At, r: int, role: str, inputs: Inputs, *, allow_negative: bool
    ) -> Decimal | None:
        col = at.roles.get(role)
        if col is None:
            return None
        raw = at.grid.value(r, col)
        p = parse_number(raw)
        problem = p.problem
        if not problem and p.is_percent:
            problem = f"“{str(raw).strip()[:30]}”不是分数（分数不应带百分号）"
        if not problem and p.value is not None and p.value < 0 and not allow_negative:
            problem = f"分数 {p.value} 为负数"
        if problem:
            at.report(
                inputs,
                "bad-score",
                cell=at.grid.ref(r, col),
                column=at.column(role),
                problem=quote(problem),
            )
            return None
        return p.value


@dataclass(frozen=True, kw_only=True)
class _At:
    """The sheet being read: where its findings are, whose it is, the rubric's form for it."""

    grid: Grid
    display: str
    unit: str
    sheet: Sheet
    roles: dict[str, int]
    arabic: frozenset[str] = frozenset()  # the 序号 written in digits (3, 3.0, "３")

    def report(self, inputs: Inputs, code: str, variant: str = "", **fields: Any) -> None:
        inputs.report(
            code, variant, file=self.display, sheet=self.grid.name, unit=self.unit, **fields
        )

    def column(self, role: str) -> str:
        """The sheet's word for a column (Beilun's 自查分, 考核分)."""
        return self.sheet.columns.get(role) or _COLUMN_NAMES[role]


_COLUMN_NAMES = {"self": "自评分", "verified": "核定分"}


@dataclass(frozen=True, kw_only=True)
class _Rows:
    items: dict[str, ItemEntry]
    bonus_self: Decimal | None
    penalty_self: Decimal | None


def _item_no(value: object) -> str | None:
    """``1``, ``1.0``, ``"１"``, ``"一.1"`` → a comparable item number; None for none."""
    if value is None:
        return None
    if type(value) is float and value.is_integer():  # the usual cell: 3.0
        return str(int(value))
    if type(value) is str and len(value) <= MEMO_TEXT:
        return _text_item_no(value)  # 合计, 备注…, 加分项目: the same texts in every sheet
    return _any_item_no(value)


@functools.lru_cache(maxsize=MEMO_TEXTS)
def _text_item_no(value: str) -> str | None:
    return _any_item_no(value)


def _any_item_no(value: object) -> str | None:
    p = parse_number(value)
    if p.ok and p.value is not None and not p.is_percent:
        if p.value == p.value.to_integral_value():
            return str(int(p.value))
        return None
    text = label(value)
    return text or None


def _assessor_in(value: object) -> str | None:
    """The unit a ``检查单位：…`` cell names, or None for any other cell."""
    if type(value) is str and len(value) <= MEMO_TEXT:
        return _assessor_in_text(value)  # the title lines above the header: in every sheet
    return _assessor_of(str(value))


@functools.lru_cache(maxsize=MEMO_TEXTS)
def _assessor_in_text(text: str) -> str | None:
    return _assessor_of(text)


def _assessor_of(text: str) -> str | None:
    m = _ASSESSOR.match(unicodedata.normalize("NFKC", text).strip())
    return m.group(1).strip() if m else None


def _arabic_numbers(grid: Grid, header: int, col: int | None) -> frozenset[str]:
    """Every 序号 below the header written as a number (not a Chinese numeral)."""
    if col is None:
        return frozenset()
    found = (_item_no(grid.value(r, col)) for r in range(header + 1, grid.height))
    return frozenset(no for no in found if no is not None and no.isdigit())


def _looks_numbered(no: str) -> bool:
    return _NUMBERED_NO.fullmatch(no) is not None


_NUMBERED_NO = re.compile(r"[0-9]+|[一二三四五六七八九十]+[.、][0-9]+")
