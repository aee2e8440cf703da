"""Annex score sheets (附件1, 附件2, Beilun's 评分细则, the provincial 评分表): their header row, the
unit they belong to, and one record per item row.

A sheet is an annex sheet when a header row in its first rows has 考核内容 and 分值 and 自评分 or
核定分 (as the rubric's ``[headers.annex]`` labels them). The unit comes from the template's
document property, else the seal line (…(盖章)：单位), else the file name. Rows are matched to
items by 序号; a row without one (the published 附件2 and Beilun layouts) by its text. Rows under
another department's 考核部门 (the published 附件2, one table for all nine departments, returned
whole) are not the unit's items.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from flowscore.contract import PROP_ASSESSOR, PROP_SCHEME, PROP_UNIT
from flowscore.inputs.kinds.annex_check import check_annex
from flowscore.inputs.kinds.base import ReadContext, quote, roles_of
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import AnnexSheet, Inputs, ItemEntry
from flowscore.names import label, norm
from flowscore.numbers import parse_number
from flowscore.rubric.model import Sheet

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
        scheme_prop = wb.props.get(PROP_SCHEME, "")
        if scheme_prop and scheme_prop != self.ctx.scheme.id:
            inputs.report(
                "scheme-mismatch",
                file=display,
                sheet=grid.name,
                unit=unit,
                found=scheme_prop,
                used=self.ctx.scheme.id,
            )
            refused = self.ctx.scheme.unit(unit)
            assert refused is not None
            check_annex(  # how it differs from this rubric, item by item (annex_check.py)
                self.ctx,
                grid,
                wb,
                display,
                unit,
                self.ctx.scheme.sheet(refused.sheet),
                header,
                roles,
                None,
                inputs,
                other_scheme=scheme_prop,
            )
            return
        u = self.ctx.scheme.unit(unit)
        assert u is not None
        sheet = self.ctx.scheme.sheet(u.sheet)
        items: dict[str, ItemEntry] = {}
        bonus_self = penalty_self = None
        no_col = roles.get("no")
        lead_cols = [c for c in (no_col, roles.get("dept"), roles["text"]) if c is not None]
        dept_col = roles.get("dept")
        row_dept: str | None = None  # the 考核部门 the row is under (a merged cell names it once)
        for r in range(header + 1, grid.height):
            no = _item_no(grid.value(r, no_col)) if no_col is not None else None
            # A numbered row is an item; only other rows can be the 加分/减分 lines.
            lead = (
                ""
                if no is not None and no.isdigit()
                else " ".join(label(grid.value(r, c)) for c in lead_cols)
            )
            if lead.startswith("加分") or (no or "").startswith("加分"):
                bonus_self = self._score(
                    grid, display, unit, r, roles.get("self"), inputs, allow_negative=False
                )
                continue
            if lead.startswith("减分") or (no or "").startswith("减分"):
                penalty_self = self._score(
                    grid, display, unit, r, roles.get("self"), inputs, allow_negative=True
                )
                continue
            if dept_col is not None:
                # The published 附件2 is one table for all nine departments: a department may
                # return it whole, its own rows filled. Other departments' rows are not its items.
                written_dept = grid.text(r, dept_col)
                if written_dept:
                    row_dept = self.ctx.roster.find(written_dept)
                if row_dept is not None and row_dept != unit:
                    continue
            if no is None or not sheet.item(no):
                if no is not None and no_col is not None and _looks_numbered(no):
                    inputs.report(
                        "unknown-item",
                        file=display,
                        sheet=grid.name,
                        cell=grid.ref(r, no_col),
                        unit=unit,
                        no=no,
                        title=sheet.title,
                        count=len(sheet.items),
                    )
                    continue
                if no_col is not None and no is not None:
                    continue
                no, problem = self._match_by_text(grid, r, roles, sheet, display)
                if problem is not None:
                    variant, fields = problem
                    inputs.report(
                        "text-match-limit" if variant == "limit" else "unmatched-row",
                        "" if variant == "limit" else variant,
                        file=display,
                        sheet=grid.name,
                        cell=grid.ref(r, roles.get("criteria", roles["text"])),
                        unit=unit,
                        **fields,
                    )
                if no is None:
                    continue
            if no in items:
                inputs.report(
                    "duplicate-item",
                    file=display,
                    sheet=grid.name,
                    cell=grid.ref(r, no_col if no_col is not None else roles["text"]),
                    unit=unit,
                    no=no,
                    first=grid.row_name(items[no].row),
                    second=grid.row_name(r),
                )
                continue
            item = sheet.item(no)
            assert item is not None
            self_score = self._score(
                grid, display, unit, r, roles.get("self"), inputs, allow_negative=item.is_adjustment
            )
            entered = self._score(
                grid,
                display,
                unit,
                r,
                roles.get("verified"),
                inputs,
                allow_negative=item.is_adjustment,
            )
            remark = grid.text(r, roles["remark"]) if "remark" in roles else ""
            items[no] = ItemEntry(
                no=no,
                self_score=self_score,
                entered=entered,
                remark=remark,
                row=r,
                self_cell=grid.ref(r, roles["self"]) if "self" in roles else "",
                verified_cell=grid.ref(r, roles["verified"]) if "verified" in roles else "",
            )
        for item in sheet.items:
            if str(item.no) not in items:
                inputs.report(
                    "item-missing",
                    file=display,
                    sheet=grid.name,
                    unit=unit,
                    no=item.no,
                    short=item.short or item.text[:12],
                )
        assessor = self._assessor(grid, wb, header)
        # 分值 altered, rows deleted or added, another version of the rubric (annex_check.py)
        check_annex(self.ctx, grid, wb, display, unit, sheet, header, roles, items, inputs)
        inputs.annexes.append(
            AnnexSheet(
                unit=unit,
                sheet_id=sheet.id,
                file=display,
                assessor=assessor,
                sheet=grid.name,
                items=items,
                scheme_id=scheme_prop,
                bonus_self=bonus_self,
                penalty_self=penalty_self,
            )
        )

    def _assessor(self, grid: Grid, wb: WorkbookData, header: int) -> str:
        """Who filled the 核定分: a ``检查单位：市财政局`` line above the header (or the template's
        property). Empty for a unit's own sheet."""
        written = wb.props.get(PROP_ASSESSOR, "")
        if not written:
            for r in range(header):
                for v in grid.rows[r]:
                    m = (
                        _ASSESSOR.match(unicodedata.normalize("NFKC", str(v)).strip())
                        if v
                        else None
                    )
                    if m:
                        written = m.group(1).strip()
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
        self,
        grid: Grid,
        display: str,
        unit: str,
        r: int,
        col: int | None,
        inputs: Inputs,
        *,
        allow_negative: bool,
    ) -> Decimal | None:
        if col is None:
            return None
        raw = grid.value(r, col)
        p = parse_number(raw)
        problem = p.problem or ("分数不应带百分号" if p.is_percent else "")
        if not problem and p.value is not None and p.value < 0 and not allow_negative:
            problem = f"分数 {p.value} 为负数"
        if problem:
            inputs.report(
                "bad-score",
                file=display,
                sheet=grid.name,
                cell=grid.ref(r, col),
                unit=unit,
                problem=quote(problem),
            )
            return None
        return p.value


def _item_no(value: object) -> str | None:
    """``1``, ``1.0``, ``"１"``, ``"一.1"`` → a comparable item number; None for none."""
    if value is None:
        return None
    if type(value) is float and value.is_integer():  # the usual cell: 3.0
        return str(int(value))
    p = parse_number(value)
    if p.ok and p.value is not None and not p.is_percent:
        if p.value == p.value.to_integral_value():
            return str(int(p.value))
        return None
    text = label(value)
    return text or None


def _looks_numbered(no: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+|[一二三四五六七八九十]+[.、][0-9]+", no))
