"""What flowscore agrees to open: the limits every pre-check and reader bounds itself by."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
DEFLATE_MAX_RATIO = 1032  # the most deflate can expand (258-byte matches from 2-bit codes)


@dataclass(frozen=True)
class Limits:
    """What flowscore agrees to open. ``--max-size`` and ``--max-rows`` set the first two."""

    max_size: int = 256 * MB  # bytes: the file on disk, and its parts once inflated, in total
    max_rows: int = 200_000  # rows of one sheet (Excel allows 1,048,576)
    max_cells: int = 5_000_000  # rows × columns of one sheet (calamine: 32 bytes a cell)
    max_members: int = 10_000  # parts in one zip (a workbook has a dozen)
    max_ratio: int = 200  # declared inflated:compressed size of one part, above ratio_grace
    ratio_grace: int = 1 * MB  # parts smaller than this are never refused for their ratio
    max_shown: int = 60  # characters of a cell's text quoted in a message
    convert_timeout: float = 60.0  # seconds LibreOffice may take over one .doc (open/convert.py)

    @classmethod
    def from_options(
        cls, *, max_size_mb: float | None = None, max_rows: int | None = None
    ) -> Limits:
        base = cls()
        return cls(
            max_size=int(max_size_mb * MB) if max_size_mb else base.max_size,
            max_rows=max_rows or base.max_rows,
        )

    @property
    def size_label(self) -> str:
        mb = self.max_size / MB
        return f"{mb:g} MB"


DEFAULT_LIMITS = Limits()


def too_big(rows: int, cols: int, limits: Limits) -> str:
    """Why a sheet of ``rows`` × ``cols`` (from A1) is over the limits; empty when it is not."""
    if rows > limits.max_rows:
        return f"有 {rows:,} 行，超过上限 {limits.max_rows:,} 行"
    if rows * cols > limits.max_cells:
        return (
            f"从 A1 到最后一个有内容的单元格共 {rows:,} 行 × {cols:,} 列，"
            f"超过上限 {limits.max_cells:,} 个单元格"
        )
    return ""
