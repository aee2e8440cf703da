"""The city's ranking of the district (市考排名): a header row with 单位 and 排名 (and 并列数); one
rank per unit, for the rank_table rule."""

from __future__ import annotations

from flowscore.inputs.kinds.base import ReadContext, roles_of, row_unit, whole
from flowscore.inputs.open import Grid, WorkbookData
from flowscore.inputs.records import Inputs, RankRow


class CityRankingKind:
    name = "ranking"

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx

    def detect(self, labels: list[str]) -> dict[str, int] | None:
        unit_col = self.ctx.unit_column(labels)
        if unit_col is None:
            return None
        roles = roles_of(labels, self.ctx.rank_labels)
        if "rank" in roles:
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
        inputs.saw_ranking_sheet = True
        for r in range(header + 1, grid.height):
            written = grid.text(r, roles["unit"])
            raw_rank = grid.value(r, roles["rank"])
            if not written and raw_rank is None:
                continue
            unit = (
                row_unit(self.ctx, grid, display, r, roles["unit"], written, inputs)
                if written
                else None
            )
            if unit is None:
                continue
            rank = whole(raw_rank)
            tied = whole(grid.value(r, roles["tied"])) if "tied" in roles else None
            rcell = grid.ref(r, roles["rank"])
            if raw_rank is None:
                continue
            if rank is None or rank < 1:
                inputs.report(
                    "bad-rank", file=display, sheet=grid.name, cell=rcell, unit=unit, rank=raw_rank
                )
                continue
            if (
                "tied" in roles
                and grid.value(r, roles["tied"]) is not None
                and (tied is None or tied < 1)
            ):
                inputs.report(
                    "bad-rank",
                    "tied",
                    file=display,
                    sheet=grid.name,
                    cell=grid.ref(r, roles["tied"]),
                    unit=unit,
                    tied=grid.value(r, roles["tied"]),
                )
                continue
            inputs.add_rank(
                RankRow(
                    unit=unit, rank=rank, tied=tied or 1, file=display, sheet=grid.name, cell=rcell
                )
            )
