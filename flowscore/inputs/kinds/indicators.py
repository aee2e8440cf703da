"""Indicator sheets: a header row with 单位 and any indicator the rubric names (or an alias), in
any column order, units in any order, extra columns ignored; one value per unit and indicator."""

from __future__ import annotations

from decimal import Decimal

from flowscore.inputs.kinds.base import ReadContext, row_unit
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, Value
from flowscore.numbers import Parsed, parse_number, parse_rate, parse_yes_no


class IndicatorsKind:
    name = "indicators"

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def detect(self, labels: list[str]) -> tuple[int, dict[int, str]] | None:
        unit_col = self.ctx.unit_column(labels)
        if unit_col is None:
            return None
        cols = {
            c: self.ctx.indicator_labels[lab]
            for c, lab in enumerate(labels)
            if lab in self.ctx.indicator_labels
        }
        return (unit_col, cols) if cols else None

    def read(
        self,
        grid: Grid,
        wb: WorkbookData,
        display: str,
        header: int,
        found: tuple[int, dict[int, str]],
        inputs: Inputs,
    ) -> None:
        unit_col, cols = found
        inputs.saw_indicator_sheet = True
        seen_names: dict[str, int] = {}
        for c, name in cols.items():
            if name in seen_names:
                inputs.report(
                    "duplicate-column",
                    file=display,
                    sheet=grid.name,
                    cell=grid.ref(header, c),
                    name=name,
                )
            seen_names.setdefault(name, c)
        for r in range(header + 1, grid.height):
            written = grid.text(r, unit_col)
            if not written:
                continue
            unit = row_unit(self.ctx, grid, display, r, unit_col, written, inputs)
            if unit is None:
                continue
            if unit in inputs.indicator_sources and inputs.indicator_sources[unit][:2] == (
                display,
                grid.name,
            ):
                inputs.report(
                    "duplicate-row",
                    file=display,
                    sheet=grid.name,
                    cell=grid.ref(r, unit_col),
                    unit=unit,
                    first=inputs.indicator_sources[unit][2],
                    second=grid.row_name(r),
                )
                continue
            inputs.indicator_sources.setdefault(unit, (display, grid.name, grid.row_number(r)))
            for name, c in seen_names.items():
                ind = self.ctx.scheme.indicator(name)
                assert ind is not None
                raw = grid.value(r, c)
                parsed = self._indicator_value(ind.kind, raw)
                where = grid.ref(r, c)
                if isinstance(parsed, str):
                    inputs.report(
                        "bad-indicator",
                        ind.kind,
                        file=display,
                        sheet=grid.name,
                        cell=where,
                        unit=unit,
                        name=name,
                        problem=parsed,
                    )
                    continue
                if parsed is None:
                    continue
                inputs.add_indicator(
                    unit, name, Value(value=parsed, file=display, sheet=grid.name, cell=where)
                )

    @staticmethod
    def _indicator_value(kind: str, raw: object) -> Decimal | bool | str | None:
        if kind == "yes_no":
            yn, problem = parse_yes_no(raw)
            return problem or yn
        p: Parsed = parse_rate(raw) if kind == "rate" else parse_number(raw)
        if not p.ok:
            return p.problem
        if p.value is None:
            return None
        if kind != "rate" and p.is_percent:
            return "是百分数，应填人数或次数"
        if p.value < 0:
            return f"为负数（{p.value}）"
        if kind == "count" and p.value != p.value.to_integral_value():
            return f"不是整数（{p.value}）"
        return p.value
