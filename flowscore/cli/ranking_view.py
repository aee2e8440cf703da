"""``flowscore rank`` in the terminal: each tier's ranking as padded text that fits the width.

Full unit names always (a name is what a clerk looks for); the columns give way instead: the
category subtotals (the provincial scheme's six sections) go under numbered headers with a
legend, and when even that is wider than the terminal (80 columns when piped) each unit's
subtotals move to a second, indented line. The base points are the tier's, said once in its
heading. Plain text throughout: the same lines on a terminal, in a pipe and in a file, and
10,000 rows are written at once."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from rich.cells import cell_len

from flowscore.cli.console import console
from flowscore.display import printable
from flowscore.labels import STATUS_LABELS
from flowscore.numbers import fmt_plain

_HEADERS = ("名次", "单位", "评价得分", "折算得分", "状态")
_RIGHT = (True, False, True, True, False)
_NUMBERED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def ranking_rows(data: dict[str, Any], tier: str | None = None) -> list[dict[str, Any]]:
    """The ranking as plain rows (what ``rank --json`` prints and the table shows)."""
    rows = []
    for u in data["units"]:
        if tier and u["tier"] != tier:
            continue
        rows.append(
            {
                "tier": u["tier"],
                "tier_label": u.get("tier_label", u["tier"]),
                "rank": u["rank"],
                "unit": u["unit"],
                "total": u["total"],
                "base": u["base"],
                "contribution": u["contribution"],
                "status": u["status"],
                # category subtotals (北仑: 基础工作 / 管理工作 / 服务工作), empty for flat sheets
                "categories": {c["category"]: c["verified"] for c in u.get("categories", [])},
            }
        )
    return rows


def num(value: object, places: int = 2) -> str:
    """A score as printed: fixed places, ``—`` for none."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)):.{places}f}"


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _cells(r: dict[str, Any], cats: list[str]) -> list[str]:
    st = r["status"]
    return [
        str(r["rank"]) if r["rank"] is not None else "—",
        printable(r["unit"]),
        num(r["total"]),
        num(r["contribution"], 4),
        STATUS_LABELS.get(st, st),
        *(num(r["categories"].get(c)) for c in cats),
    ]


def _padded(table: list[list[str]], right: list[bool], *, tight: int = 0) -> list[str]:
    """Rows padded by display width (a CJK character takes two columns), a rule under the
    header row; two spaces between columns, one between the last ``tight`` ones."""
    sizes = [[_width(text) for text in row] for row in table]
    widths = [max(col) for col in zip(*sizes, strict=True)]
    gaps = ["" if i == 0 else " " if i > len(widths) - tight else "  " for i in range(len(widths))]
    lines = []
    for n, (row, size) in enumerate(zip(table, sizes, strict=True)):
        cells = []
        for text, used, room, align, gap in zip(row, size, widths, right, gaps, strict=True):
            fill = " " * (room - used)
            cells.append(gap + (fill + text if align else text + fill))
        lines.append("".join(cells).rstrip())
        if n == 0:
            lines.append("".join(g + "─" * w for g, w in zip(gaps, widths, strict=True)))
    return lines


def _legend(marks: list[str], cats: list[str], width: int) -> list[str]:
    """``分类：①… ②…`` packed into lines that fit the width."""
    lines, line = [], "分类："
    for m, c in zip(marks, cats, strict=True):
        piece = f"{m}{printable(c)}"
        if _width(line) + 2 + _width(piece) > width and line.strip() != "分类：":
            lines.append(line.rstrip())
            line = "      "
        line += piece + "  "
    return [*lines, line.rstrip()]


def _tier_lines(group: list[dict[str, Any]], width: int) -> list[str]:
    tid, label = group[0]["tier"], group[0]["tier_label"]
    base = next((r["base"] for r in group if r["base"] is not None), None)
    heading = label if label == tid else f"{label}（{tid}）"
    if base is not None:
        heading += f"  基本分 {fmt_plain(Decimal(str(base)))}"
    cats = list(dict.fromkeys(c for r in group for c in r.get("categories", {})))
    body = [_cells(r, cats) for r in group]
    right = [*_RIGHT, *(True for _ in cats)]
    # 1. the category names as headers, when they fit
    lines = _padded([[*_HEADERS, *map(printable, cats)], *body], right)
    if max(map(_width, lines)) <= width or not cats:
        return [heading, *lines]
    # 2. numbered headers with a legend
    marks = [_NUMBERED[i] if i < len(_NUMBERED) else f"({i + 1})" for i in range(len(cats))]
    legend = _legend(marks, cats, width)
    lines = _padded([[*_HEADERS, *marks], *body], right, tight=len(cats))
    if max(map(_width, lines)) <= width:
        return [heading, *lines, *legend]
    # 3. each unit's subtotals on a second line under its name
    main = _padded([list(_HEADERS), *(row[: len(_HEADERS)] for row in body)], list(_RIGHT))
    indent = " " * (_width(main[0].split("单位")[0]))
    out = [heading, *main[:2]]
    for line, row in zip(main[2:], body, strict=True):
        out.append(line)
        out.append(
            indent + "  ".join(f"{m}{v}" for m, v in zip(marks, row[len(_HEADERS) :], strict=True))
        )
    return [*out, *legend]


def ranking_text(data: dict[str, Any], *, tier: str | None = None, width: int = 80) -> str:
    """The whole ranking: the title, then per tier its heading and table."""
    tiers: dict[str, list[dict[str, Any]]] = {}
    for r in ranking_rows(data, tier):
        tiers.setdefault(r["tier"], []).append(r)
    lines = [printable(data["scheme"]["title"])]
    for group in tiers.values():
        lines.append("")
        lines.extend(_tier_lines(group, width))
    lines.append("")
    return "\n".join(lines)


def print_ranking(data: dict[str, Any], *, tier: str | None = None) -> None:
    """Written at once: the terminal's width, or 80 columns when piped."""
    width = console.width if console.is_terminal else 80
    sys.stdout.write(ranking_text(data, tier=tier, width=width))
