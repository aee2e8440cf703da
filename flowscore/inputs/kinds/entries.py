"""Bonus and penalty entries (加减分): a header row with 单位 and 分值 and 类型 or 专题; one record per
entry, its magnitude positive and its kind from 类型 (or from the sign when 类型 is empty)."""

from __future__ import annotations

from flowscore.inputs.kinds.base import ReadContext, quote, roles_of, row_unit
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, RawEntry
from flowscore.names import label
from flowscore.numbers import parse_number


class EntriesKind:
    name = "entries"

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def detect(self, labels: list[str]) -> dict[str, int] | None:
        unit_col = self.ctx.unit_column(labels)
        if unit_col is None:
            return None
        roles = roles_of(labels, self.ctx.entry_labels)
        if "points" in roles and ("type" in roles or "topic" in roles):
            roles["unit"] = unit_col
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
        def refuse(cell: str, unit: str, variant: str, **fields: object) -> None:
            inputs.report(
                "bad-entry", variant, file=display, sheet=grid.name, cell=cell, unit=unit, **fields
            )

        for r in range(header + 1, grid.height):
            written = grid.text(r, roles["unit"])
            raw_points = grid.value(r, roles["points"])
            if not written and raw_points is None:
                continue
            if not written:
                inputs.report(
                    "entry-no-unit", file=display, sheet=grid.name, cell=grid.ref(r, roles["unit"])
                )
                continue
            unit = row_unit(self.ctx, grid, display, r, roles["unit"], written, inputs)
            if unit is None:
                continue
            p = parse_number(raw_points)
            pcell = grid.ref(r, roles["points"])
            if not p.ok or p.value is None or p.is_percent:
                why = p.problem or ("不应带百分号" if p.is_percent else "为空")
                refuse(pcell, unit, "points", problem=quote(why))
                continue
            type_text = label(grid.value(r, roles["type"])) if "type" in roles else ""
            if type_text.startswith("加"):
                kind = "bonus"
            elif type_text.startswith("减") or type_text.startswith("扣"):
                kind = "penalty"
            elif type_text:
                refuse(grid.ref(r, roles["type"]), unit, "type", type=type_text)
                continue
            else:
                kind = "penalty" if p.value < 0 else "bonus"
            if kind == "bonus" and p.value < 0:
                refuse(pcell, unit, "sign", points=p.value)
                continue
            topic = grid.text(r, roles["topic"]) if "topic" in roles else ""
            note = grid.text(r, roles["note"]) if "note" in roles else ""
            inputs.entries.append(
                RawEntry(
                    unit=unit,
                    kind=kind,
                    topic=topic,
                    magnitude=abs(p.value),
                    note=note,
                    file=display,
                    sheet=grid.name,
                    row=grid.row_number(r),
                    points_cell=pcell,
                )
            )
