"""Text reports: one feedback sheet per unit (``reports/<单位>.txt``) and the overall report
(``考核报告.md``), rendered from Jinja2 templates.

The layout and wording live in ``templates/``; this module prepares what they show (formatted
numbers, aligned tables, grouped findings). One Environment per process compiles each template
once, which matters when a batch has thousands of units. Nothing here depends on the clock, so a
rerun on the same inputs gives byte-identical files.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from rich.cells import cell_len

import flowscore
from flowscore.catalog import name_of
from flowscore.errors import OutputError
from flowscore.findings import Finding, Level
from flowscore.labels import ENTRY_KIND_LABELS as KIND_LABELS
from flowscore.labels import INPUT_KIND_LABELS, SOURCE_LABELS, STATUS_LABELS, no_sheet_note
from flowscore.numbers import fmt, fmt_pct, fmt_plain, fmt_signed, q
from flowscore.results import BatchResult, Entry, UnitResult
from flowscore.writers.for_unit import shown_to_unit, without_options
from flowscore.writers.results_json import ordered_units, tier_summaries
from flowscore.writers.safe import clean_text, md_cell, unique_filenames

if TYPE_CHECKING:
    from flowscore.compare import UnitComparison

UNIT_TEMPLATE = "unit_report.txt.j2"
OVERALL_TEMPLATE = "overall_report.md.j2"


def templates_dir() -> Path:
    """Where the templates are: inside the installed package (the wheel maps the top-level
    ``templates/`` to ``flowscore/_templates``), else the source tree's ``templates/``."""
    pkg = Path(flowscore.__file__).resolve().parent
    for candidate in (pkg / "_templates", pkg.parent / "templates"):
        if (candidate / UNIT_TEMPLATE).is_file():
            return candidate
    raise OutputError("找不到报告模板文件夹（templates）", hint="flowscore 安装不完整，请重新安装")


# ---------------------------------------------------------------------------------------------
# formatting helpers shared by the templates


def _fmt(value: Decimal | None, places: int = 2) -> str:
    return fmt(value, places)


def _pct(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else fmt_pct(value, places)


def _signed(value: Decimal | None, places: int = 2) -> str:
    """``+5.00`` / ``-5.00``; zero has no sign (a penalty of nothing is not ``+0.00``)."""
    if value is None:
        return "—"
    if q(value, places) == 0:
        return fmt(Decimal(0), places)
    return fmt_signed(value, places)


def _plain(value: Decimal | None) -> str:
    return fmt_plain(value)


def _finalize(value: Any) -> Any:
    # Every string a template prints passes here: text from user files cannot carry control
    # characters into the reports.
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def pad(text: str, width: int, align: str = "l") -> str:
    """Pad to ``width`` terminal cells: a CJK character is two cells wide, so str.ljust would
    misalign every column that mixes Chinese and digits."""
    gap = max(0, width - cell_len(text))
    if align == "r":
        return " " * gap + text
    if align == "c":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def truncate(text: str, width: int) -> str:
    """Cut to at most ``width`` cells, marking the cut with ``…``."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], aligns: str) -> list[str]:
    """A plain-text table aligned by display width: header, a rule, the rows."""
    cells = [[clean_text(c) for c in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], cell_len(c))

    def line(values: Sequence[str]) -> str:
        return "  ".join(pad(v, widths[i], aligns[i]) for i, v in enumerate(values)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(headers), rule, *(line(r) for r in cells)]


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of the process (templates compile once and are cached)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text and markdown: escaping is done by md_cell where needed
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(
        fmt=_fmt,
        pct=_pct,
        signed=_signed,
        plain=_plain,
        md=md_cell,
        pad=pad,
        truncate_cells=truncate,
        kind=name_of,
    )
    env.globals.update(
        STATUS_LABELS=STATUS_LABELS, SOURCE_LABELS=SOURCE_LABELS, KIND_LABELS=KIND_LABELS
    )
    return env


# ---------------------------------------------------------------------------------------------
# what the templates show


def _where(f: Finding) -> str:
    return " › ".join(p for p in (f.file, f.sheet, f.cell, f.key) if p)


def _entry_view(e: Entry) -> dict[str, Any]:
    where = e.file
    if e.sheet:
        where += f" › {e.sheet}"
    if e.row:
        where += f" 第{e.row}行"
    return {
        "kind": KIND_LABELS.get(e.kind, e.kind),
        "points": _signed(e.points),
        "topic": clean_text(e.topic),
        "note": clean_text(e.note),
        "counted": e.counted,
        "reason": clean_text(e.reason),
        "where": clean_text(where),
    }


def tier_counts(result: BatchResult) -> dict[str, int]:
    """Per tier, how many units hold a rank (the ``共N个`` of a rank line)."""
    out: dict[str, int] = {}
    for u in result.units:
        if u.rank is not None:
            out[u.tier] = out.get(u.tier, 0) + 1
    return out


def _tied_ranks(result: BatchResult) -> set[tuple[str, int]]:
    seen: dict[tuple[str, int], int] = {}
    for u in result.units:
        if u.rank is not None:
            seen[(u.tier, u.rank)] = seen.get((u.tier, u.rank), 0) + 1
    return {k for k, n in seen.items() if n > 1}


def rank_text(u: UnitResult, *, ranked: int, tied: bool) -> str:
    """``A类街道 第3名／共8个`` (``第3名（并列）`` for shared ranks)."""
    if u.rank is None:
        return f"{u.tier_label} 未排名（{STATUS_LABELS.get(u.status, u.status)}）"
    return f"{u.tier_label} 第{u.rank}名{'（并列）' if tied else ''}／共{ranked}个"


def unit_view(
    u: UnitResult,
    *,
    result: BatchResult,
    ranked: int,
    tied: bool,
    findings: list[Finding],
    text_table: bool = True,
) -> dict[str, Any]:
    """What a unit's feedback says, as text (``text_table``: with the plain-text table of its
    items, which only the .txt feedback prints)."""
    rows = []
    for it in u.items if text_table else ():
        rows.append(
            [
                str(it.no),
                truncate(clean_text(it.short or it.text), 24),
                it.max_label,
                fmt(it.self_score),
                fmt(it.verified),
                _signed(it.difference),
                SOURCE_LABELS.get(it.source, it.source),
            ]
        )
    table = (
        _text_table(
            ["序号", "考核项目", "分值", "自评分", "核定分", "差额", "来源"], rows, "llrrrrl"
        )
        if rows
        else []
    )
    items = [
        {
            "no": str(it.no),
            "name": clean_text(it.short or it.text),
            "max_label": it.max_label,
            "source": SOURCE_LABELS.get(it.source, it.source),
            "explanation": clean_text(it.explanation, multiline=True),
            "remark": clean_text(it.remark, multiline=True),
            "cell": it.cell,
            "pending": it.source == "pending",
        }
        for it in u.items
    ]
    cmp = result.comparison.unit(u.unit) if result.comparison is not None else None
    return {
        "scheme_title": result.scheme_title,
        "comparison": comparison_view(cmp) if cmp is not None else None,
        "unit": clean_text(u.unit),
        "tier_label": clean_text(u.tier_label),
        "base": fmt_plain(u.base),
        "status": STATUS_LABELS.get(u.status, u.status),
        "missing": u.no_sheet,
        "no_sheet_note": no_sheet_note(u.status, clean_text(u.file)),
        "provisional": u.status == "provisional",
        "file": clean_text(u.file),
        "total": fmt(u.total),
        "contribution": fmt(u.contribution, 4),
        "subtotal": fmt(u.subtotal),
        "self_total": fmt(u.self_total),
        "bonus": _signed(u.bonus),
        "penalty": _signed(u.penalty),
        "rank": rank_text(u, ranked=ranked, tied=tied),
        "table": table,
        "explained": items,
        "categories": [
            {"name": clean_text(c), "verified": fmt(v), "max": fmt_plain(m)}
            for c, v, m in u.categories
        ],
        "entries": [_entry_view(e) for e in u.entries],
        "pending": [i for i in items if i["pending"]],
        "findings": [
            {
                "level": f.level.label,
                "kind": name_of(f.code),
                "where": clean_text(_where(f)),
                "message": clean_text(without_options(f.message), multiline=True),
                "hint": clean_text(without_options(f.hint), multiline=True),
            }
            for f in shown_to_unit(findings)  # the feedback is the unit's to read
        ],
    }


def comparison_view(c: UnitComparison) -> dict[str, Any]:
    """A unit's year comparison as the feedback sheets say it (Word and text): the totals,
    ranks and items, a number where there is one and the reason where there is none."""
    rows = []
    for i in c.items:
        d = i.delta
        rows.append(
            [
                i.no,
                truncate(clean_text(i.short), 24),
                fmt(i.verified),
                fmt(i.previous) if not i.why else "—",
                _signed(d) if d is not None else clean_text(i.why),
            ]
        )
    prev = fmt(c.previous_total) if c.previous_total is not None else (c.note or "—")
    rank = f"第{c.rank}名" if c.rank is not None else "未排名"
    prev_rank = f"第{c.previous_rank}名" if c.previous_rank is not None else "—"
    return {
        "total": fmt(c.total),
        "previous_total": clean_text(prev),
        "delta": clean_text(c.delta_text),
        "rank": rank,
        "previous_rank": prev_rank,
        "rank_text": clean_text(c.rank_text),
        "note": clean_text(c.note),
        "previous_unit": clean_text(c.previous_unit) if c.previous_unit != c.unit else "",
        "rows": rows,
        "table": _text_table(["序号", "项目", "本年核定分", "上年核定分", "增减"], rows, "llrrl")
        if rows
        else [],
        "uncompared": sum(1 for i in c.items if i.why),
    }


class UnitReports:
    """Renders every unit's feedback sheet with one compiled template."""

    def __init__(self, result: BatchResult) -> None:
        self.result = result
        self.template = environment().get_template(UNIT_TEMPLATE)
        self._ranked = tier_counts(result)
        self._tied = _tied_ranks(result)
        self._findings: dict[str, list[Finding]] = {}
        for f in result.report.sorted():  # one pass instead of report.for_unit per unit
            if f.unit:
                self._findings.setdefault(f.unit, []).append(f)

    def render(self, u: UnitResult) -> str:
        view = unit_view(
            u,
            result=self.result,
            ranked=self._ranked.get(u.tier, 0),
            tied=u.rank is not None and (u.tier, u.rank) in self._tied,
            findings=self._findings.get(u.unit, []),
        )
        return self.template.render(u=view)


def report_names(result: BatchResult) -> dict[str, str]:
    """Unit name → its plain-text feedback's file name (safe and distinct)."""
    return unique_filenames((u.unit for u in result.units), suffix=".txt")


def write_unit_reports(result: BatchResult, folder: Path, units: Sequence[str]) -> list[Path]:
    """The plain-text feedback of ``units`` into ``folder`` (``--text``)."""
    renderer = UnitReports(result)
    by_name = {u.unit: u for u in result.units}
    names = report_names(result)
    written = []
    for name in units:
        path = folder / names[name]
        path.write_text(renderer.render(by_name[name]), encoding="utf-8", newline="\n")
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# the overall report


@dataclass
class _Lost:
    no: str
    name: str
    max_label: str
    lost: Decimal
    losers: list[tuple[Decimal, str]]
    verified: int


def lost_items(result: BatchResult) -> list[_Lost]:
    """Per item (sheet and number) across units: points lost below the max, the units that lost
    them; biggest total loss first."""
    groups: dict[tuple[str, str], _Lost] = {}
    order: list[tuple[str, str]] = []
    for u in ordered_units(result):
        for it in u.items:
            key = (u.sheet, str(it.no))
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Lost(
                    str(it.no), clean_text(it.short or it.text), it.max_label, Decimal(0), [], 0
                )
                order.append(key)
            if it.verified is None:
                continue
            g.verified += 1
            lost = it.lost  # a property that computes a Decimal: once per item, not three times
            if lost > 0:
                g.lost += lost
                g.losers.append((lost, u.unit))
    rows = [groups[k] for k in order if groups[k].lost > 0]
    index = {id(g): i for i, g in enumerate(rows)}
    rows.sort(key=lambda g: (-g.lost, -len(g.losers), index[id(g)]))
    for g in rows:
        # Most points first, then by unit: two stable sorts, without a key tuple and a negated
        # Decimal for each of a province's losers.
        g.losers.sort(key=itemgetter(1))
        g.losers.sort(key=itemgetter(0), reverse=True)
    return rows


def tier_views(result: BatchResult) -> list[dict[str, Any]]:
    """Each category's ranking table as the reports show it (the notice's too)."""
    tied = _tied_ranks(result)
    # Category subtotals per tier (北仑: 基础工作 …), as extra columns of its ranking table.
    cats: dict[str, dict[str, Decimal]] = {}
    for u in result.units:
        for c, _v, m in u.categories:
            cats.setdefault(u.tier, {}).setdefault(c, m)
    tiers = []
    for t in tier_summaries(result):
        rows = []
        for u in result.tier_units(t["id"]):
            rank = "—" if u.rank is None else str(u.rank)
            if u.rank is not None and (u.tier, u.rank) in tied:
                rank += "（并列）"
            subtotals = {c: v for c, v, _m in u.categories}
            rows.append(
                {
                    "rank": rank,
                    "unit": u.unit,
                    "total": fmt(u.total),
                    "base": fmt_plain(u.base),
                    "contribution": fmt(u.contribution, 4),
                    "status": STATUS_LABELS.get(u.status, u.status),
                    "categories": [fmt(subtotals.get(c)) for c in cats.get(t["id"], {})],
                }
            )
        tiers.append(
            {
                "label": t["label"],
                "base": fmt_plain(t["base"]),
                "units": t["units"],
                "ranked": t["ranked"],
                "status": t["status"],
                "contribution_sum": fmt(t["contribution_sum"], 4),
                "rows": rows,
                "categories": [f"{c}（{fmt_plain(m)}）" for c, m in cats.get(t["id"], {}).items()],
            }
        )
    return tiers


def overall_view(result: BatchResult) -> dict[str, Any]:
    tiers = tier_views(result)
    lost = [
        {
            "no": g.no,
            "name": g.name,
            "max_label": g.max_label,
            "lost": fmt(g.lost),
            "count": len(g.losers),
            "verified": g.verified,
            "top": "、".join(f"{md_cell(n)}（{fmt(x)}）" for x, n in g.losers[:3])
            + ("等" if len(g.losers) > 3 else ""),
        }
        for g in lost_items(result)
    ]
    pending = [
        {
            "unit": u.unit,
            "no": str(it.no),
            "name": it.short or it.text,
            "cell": it.cell,
            "file": u.file,
        }
        for u in ordered_units(result)
        for it in u.pending
    ]
    findings = []
    for level in Level:
        found = result.report.by_level(level)
        if found:
            findings.append({"label": level.label, "found": found})
    inputs: dict[str, int] = {}
    for f in result.inputs:
        # A workbook may hold several kinds of sheet (指标数据+市考排名).
        label = "+".join(INPUT_KIND_LABELS.get(k, k) for k in f.kind.split("+"))
        inputs[label] = inputs.get(label, 0) + 1
    units = ordered_units(result)
    return {
        "scheme_id": result.scheme_id,
        "scheme_title": result.scheme_title,
        "folder": result.folder,
        "inputs_total": len(result.inputs),
        "inputs": inputs,
        "units_total": len(units),
        "status": {STATUS_LABELS[s]: sum(1 for u in units if u.status == s) for s in STATUS_LABELS},
        "complete": result.complete,
        "counts": {Level(k).label: n for k, n in result.report.counts().items()},
        "tiers": tiers,
        "lost": lost,
        "pending": pending,
        "findings": findings,
    }


def render_overall(result: BatchResult) -> str:
    return environment().get_template(OVERALL_TEMPLATE).render(r=overall_view(result))
