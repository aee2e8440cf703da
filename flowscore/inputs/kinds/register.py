"""The assessor's register (核定登记表): the office's verified scores for any unit and item, with
who entered each (核定人), when (日期) and why (理由).

A header row with 单位, 序号/项目 and 核定分, and 核定人 or 理由 (``contract.REGISTER_LABELS``),
is a register, whoever made it (``flowscore template --register`` makes one). Each row is one
entry: its unit by the roster (aliases too), its item on that unit's sheet by 序号 (``4``,
``一.1``; the template's list shows ``4 群租房/出租房屋管理（15分）``, whose leading number is
enough) or by the item's short name or text. Dates are read as Excel dates or as typed text
(2019-12-16, 2019/12/16, 2019.12.16, 2019年12月16日, 20191216).

What the entries do to the scores is decided in ``scoring/register.py``; here they are only
read, and a row that cannot be an entry (no unit, no item, no score, no 核定人) is a finding
naming its row.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from flowscore.contract import REGISTER_LABELS
from flowscore.inputs.kinds.base import ReadContext, labels_by_role, quote, roles_of, row_unit
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, RegisterEntry
from flowscore.names import label
from flowscore.numbers import parse_number
from flowscore.rubric.model import Item, Sheet

_ROLES = labels_by_role(REGISTER_LABELS)
_NUMBERED = re.compile(r"^\s*(?:第\s*)?([0-9]+|[一二三四五六七八九十]+\s*[.、．]\s*[0-9]+)\s*项?")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_DATE8 = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class RegisterKind:
    name = "register"

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def detect(self, labels: list[str]) -> dict[str, int] | None:
        roles = roles_of(labels, _ROLES)
        if {"unit", "item", "score"} <= roles.keys() and ("who" in roles or "reason" in roles):
            return roles
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
        def text(r: int, role: str) -> str:
            return grid.text(r, roles[role]) if role in roles else ""

        def bad(r: int, variant: str, role: str, unit: str = "", **fields: object) -> None:
            inputs.report(
                "register-bad-entry",
                variant,
                file=display,
                sheet=grid.name,
                cell=grid.ref(r, roles[role]),
                unit=unit,
                row=r + 1,
                **fields,
            )

        for r in range(header + 1, grid.height):
            written_unit = text(r, "unit")
            item_value = grid.value(r, roles["item"])
            raw_score = grid.value(r, roles["score"])
            if item_value is None and raw_score is None:
                continue  # blank, or a unit picked and nothing else
            if not written_unit:
                bad(r, "no-unit", "unit")
                continue
            unit = row_unit(self.ctx, grid, display, r, roles["unit"], written_unit, inputs)
            if unit is None:
                continue
            u = self.ctx.scheme.unit(unit)
            assert u is not None
            sheet = self.ctx.scheme.sheet(u.sheet)
            if item_value is None:
                bad(r, "no-item", "item", unit)
                continue
            item, problem = find_item(sheet, item_value)
            if item is None:
                bad(
                    r,
                    problem,
                    "item",
                    unit,
                    written=str(item_value).strip(),
                    title=sheet.annex or sheet.title,
                    count=len(sheet.items),
                    candidates=_candidates(sheet, item_value),
                )
                continue
            shown = f"序号{item.no}（{item.short or item.text[:10]}）"
            p = parse_number(raw_score)
            if raw_score is None:
                bad(r, "no-score", "score", unit)
                continue
            if not p.ok or p.value is None or p.is_percent:
                why = p.problem or ("不应带百分号" if p.is_percent else "为空")
                bad(r, "score", "score", unit, problem=quote(why))
                continue
            who = text(r, "who")
            if not who:
                bad(r, "no-assessor", "who" if "who" in roles else "score", unit, label=shown)
                continue
            date, written_date = _date(grid.value(r, roles["date"]) if "date" in roles else None)
            if not date:
                inputs.report(
                    "register-bad-date",
                    "" if written_date else "empty",
                    file=display,
                    sheet=grid.name,
                    cell=grid.ref(r, roles["date"]) if "date" in roles else "",
                    unit=unit,
                    label=shown,
                    row=r + 1,
                    written=written_date,
                )
            inputs.register.append(
                RegisterEntry(
                    unit=unit,
                    no=str(item.no),
                    score=p.value,
                    reason=text(r, "reason"),
                    who=who,
                    date=date,
                    written_date=written_date,
                    file=display,
                    sheet=grid.name,
                    row=r + 1,
                    cell=grid.ref(r, roles["score"]),
                )
            )


def find_item(sheet: Sheet, value: object) -> tuple[Item | None, str]:
    """The item a register row names: by its number (``4``, ``4.0``, ``第4项``, ``一.1``, the
    template's ``4 群租房/出租房屋管理（15分）``), else by its short name or text. Returns
    (item, '') or (None, the finding's variant)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        found = sheet.item(str(value))
        return (found, "") if found else (None, "unknown-item")
    written = unicodedata.normalize("NFKC", str(value)).strip()
    first = written.split()[0] if written.split() else ""
    if first and sheet.item(first) is not None:  # the list's "创新2 创新工作…", "一.1 …"
        return sheet.item(first), ""
    m = _NUMBERED.match(written)
    if m:
        no = re.sub(r"\s+", "", m.group(1)).replace("、", ".")
        found = sheet.item(no)
        if found is not None:
            return found, ""
    key = label(written)
    hits = [
        it
        for it in sheet.items
        if key and key in {label(it.short), label(it.text), label(it.criteria)} - {""}
    ]
    if len(hits) == 1:
        return hits[0], ""
    if not hits and len(key) >= 2:  # a few words of the item's name (群租房)
        hits = [it for it in sheet.items if key in label(it.short or it.text)]
        if len(hits) == 1:
            return hits[0], ""
    return None, "ambiguous-item" if len(hits) > 1 else "unknown-item"


def _candidates(sheet: Sheet, value: object) -> str:
    key = label(str(value))
    hits = [it for it in sheet.items if key and key in label(it.short or it.text)]
    return "、".join(f"序号{it.no}" for it in hits[:5])


def _date(value: object) -> tuple[str, str]:
    """(ISO date, what was written) of a 日期 cell: an Excel date, an Excel serial number, or a
    date typed as text. ('', written) when it is none of these; ('', '') when empty."""
    if value is None:
        return "", ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat(), value.isoformat()
    written = unicodedata.normalize("NFKC", str(value)).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 29991231:
            written = str(int(number))  # 20191216 typed as a number
        elif 20000 <= number <= 80000:  # an Excel serial date the reader did not format
            day = _EXCEL_EPOCH + dt.timedelta(days=int(number))
            return day.isoformat(), day.isoformat()
    m = _DATE.match(written) or _DATE8.match(written)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), written
        except ValueError:
            pass
    return "", written
