"""``考核结果通报（草稿）.docx``: the circular the office edits and issues.

It is a draft for people, not a report for the operator: it says what leadership reads (the
ranking of each category, who is still provisional or missing, where points were lost) and
nothing about files, cells or program options. The wording is plain and in the form of a
GB/T 9704 circular, so the office can correct a sentence and issue it; the numbers are the
results' own Decimals formatted exactly, from the same views the text reports use
(``reports.tier_views`` and ``reports.lost_items``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from docx.document import Document

from flowscore.contract import NOTICE_NAME
from flowscore.labels import SOURCE_LABELS, STATUS_LABELS, no_sheet_note
from flowscore.numbers import fmt, fmt_plain, fmt_signed
from flowscore.results import BatchResult, UnitResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers.docx_common import BODY, HEADING, SUBHEADING, TITLE, save_bytes
from flowscore.writers.docx_text import Body, package
from flowscore.writers.feedback_docx import closing
from flowscore.writers.reports import lost_items, tier_views
from flowscore.writers.results_json import ordered_units, tier_summaries
from flowscore.writers.safe import clean_text

FILE_NAME = NOTICE_NAME

RANK_HEADERS = ("名次", "单位", "评价得分", "基本分", "折算得分", "状态")
RANK_WIDTHS = (16.0, 52.0, 24.0, 20.0, 24.0, 20.0)  # mm, 156 in all: the type area
ITEM_HEADERS = ("序号", "项目", "分值", "自评分", "核定分", "来源")
ITEM_WIDTHS = (16.0, 60.0, 18.0, 20.0, 20.0, 22.0)
LOST_SHOWN = 5  # items named under 三、 (the annex has every item of every unit)

_NUMERALS = "一二三四五六七八九十"


def _numeral(i: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 (enough for categories and sections)."""
    if i <= 10:
        return _NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    head = "" if tens == 1 else _NUMERALS[tens - 1]
    return head + "十" + (_NUMERALS[ones - 1] if ones else "")


def scheme_phrase(result: BatchResult, year: int | None) -> str:
    """The scheme's title, with ``{year}年度`` in front when it names no year itself."""
    title = clean_text(result.scheme_title)
    if year is not None and str(year) not in title:
        return f"{year}年度{title}"
    return title


def notice_title(result: BatchResult, *, style: DocumentStyle, year: int | None) -> str:
    return clean_text(style.title_template.replace("{scheme}", scheme_phrase(result, year)))


def _opening(result: BatchResult, year: int | None) -> str:
    units = ordered_units(result)
    counts = {s: sum(1 for u in units if u.status == s) for s in STATUS_LABELS}
    when = f"{year}年度" if year is not None else ""
    parts = [f"已定{counts['final']}个"]
    if counts["provisional"]:
        parts.append(f"暂定{counts['provisional']}个")
    if counts["missing"]:
        parts.append(f"未报送{counts['missing']}个")
    if counts["rejected"]:
        parts.append(f"报送文件无法读取{counts['rejected']}个")
    return (
        f"根据{clean_text(result.scheme_title)}评分细则，考核组对{len(units)}个单位{when}"
        f"的工作进行了考核，其中得分{'、'.join(parts)}。现将考核结果通报如下。"
    )


def _rank_tables(body: Body, result: BatchResult) -> Iterator[str]:
    """The ranking of each category, yielded a category at a time (then ``body`` is empty)."""
    tiers = tier_views(result)
    for i, tier in enumerate(tiers, start=1):
        label = clean_text(tier["label"])
        if len(tiers) > 1:
            body.paragraph(f"（{_numeral(i)}）{label}", SUBHEADING)
        body.paragraph(
            f"{label}共{tier['units']}个单位，基本分{tier['base']}，"
            "折算得分 = 基本分 × 评价得分 ÷ 100。",
            BODY,
            keep_with_next=True,  # not alone at the foot of a page
        )
        rows = [
            [
                # A shared rank is the same number on each tied row, as tables print it.
                r["rank"].replace("（并列）", ""),
                r["unit"],
                r["total"],
                r["base"],
                r["contribution"],
                r["status"],
            ]
            for r in tier["rows"]
        ]
        body.table(RANK_HEADERS, rows, widths_mm=RANK_WIDTHS, aligns="clrrrc")
        yield from body.parts
        body.parts.clear()


def _pending_names(u: UnitResult) -> str:
    return "、".join(f"第{it.no}项“{clean_text(it.short or it.text)}”" for it in u.pending)


def _open_units(body: Body, result: BatchResult) -> None:
    units = ordered_units(result)
    provisional = [u for u in units if u.status == "provisional"]
    missing = [u for u in units if u.no_sheet]
    if not provisional and not missing:
        body.paragraph("全部单位的得分均已核定。", BODY)
        return
    for u in provisional:
        body.paragraph(
            f"{clean_text(u.unit)}（{clean_text(u.tier_label)}）：{_pending_names(u)}尚待核定，"
            f"评价得分{fmt(u.total)}、名次为暂定。",
            BODY,
        )
    for u in missing:
        body.paragraph(
            f"{clean_text(u.unit)}（{clean_text(u.tier_label)}）："
            + (
                "未报送评分表，不计得分，不参加排名。"
                if u.status == "missing"
                else f"报送的评分表（{clean_text(u.file)}）无法读取，不计得分，不参加排名。"
            ),
            BODY,
        )


def _lost(body: Body, result: BatchResult) -> None:
    lost = lost_items(result)
    if not lost:
        body.paragraph("各单位各项目均未失分。", BODY)
        return
    for g in lost[:LOST_SHOWN]:
        head = f"第{clean_text(g.no)}项“{g.name}”（分值{g.max_label}）："
        if len(g.losers) == 1:
            (points, unit), *_ = g.losers
            text = f"{head}{clean_text(unit)}失分{fmt(points)}分。"
        else:
            most = "、".join(f"{clean_text(unit)}{fmt(points)}分" for points, unit in g.losers[:3])
            more = "等" if len(g.losers) > 3 else ""
            text = f"{head}{len(g.losers)}个单位失分，合计{fmt(g.lost)}分，其中{most}{more}。"
        body.paragraph(text, BODY)


COMPARE_HEADERS = ("名次", "单位", "评价得分", "上年", "增减", "名次变化")
COMPARE_WIDTHS = (16.0, 44.0, 22.0, 22.0, 22.0, 30.0)


def _compared(body: Body, result: BatchResult) -> Iterator[str]:
    """Per category: each unit's 评价得分 beside last year's, the change and the change of
    rank; then the items that could not be compared, and why. Yielded a category at a time,
    like the ranking."""
    cmp = result.comparison
    assert cmp is not None
    prev = clean_text(cmp.scheme_title or cmp.scheme_id)
    intro = f"与上年（{prev}）相比，各单位评价得分和类别内名次的变化如下。"
    if not cmp.same_rubric:
        intro += "上年所用评分细则与本年不同，只比较分值和评分标准都相同的项目。"
    body.paragraph(intro, BODY)
    tiers = tier_summaries(result)
    for i, tier in enumerate(tiers, start=1):
        label = clean_text(tier["label"])
        if len(tiers) > 1:
            body.paragraph(f"（{_numeral(i)}）{label}", SUBHEADING)
        rows = []
        for u in result.tier_units(tier["id"]):
            c = cmp.unit(u.unit)
            if c is None:
                continue
            prev_total = fmt(c.previous_total) if c.previous_total is not None else "—"
            rows.append(
                [
                    str(u.rank) if u.rank is not None else "—",
                    clean_text(u.unit),
                    fmt(u.total),
                    prev_total,
                    c.delta_text if c.delta is not None else "—",
                    clean_text(c.rank_text),
                ]
            )
        body.table(COMPARE_HEADERS, rows, widths_mm=COMPARE_WIDTHS, aligns="clrrrc")
        yield from body.parts
        body.parts.clear()
    reasons: dict[str, list[str]] = {}
    for c in cmp.units.values():
        unit = result.unit(c.unit)
        where = clean_text(unit.tier_label) if unit else ""
        for it in c.uncompared:
            if it.why in ("本年待核定", "上年待核定"):
                continue
            key = f"第{it.no}项“{clean_text(it.short)}”（{where}）：{it.why}"
            reasons.setdefault(key, []).append(c.unit)
    for key in reasons:
        body.paragraph(f"{key}，不作比较。", BODY)
    yield from body.parts
    body.parts.clear()


def _unit_heading(i: int, u: UnitResult) -> str:
    status = STATUS_LABELS.get(u.status, u.status)
    if u.no_sheet:
        return f"{i}. {clean_text(u.unit)}（{clean_text(u.tier_label)}，{status}）"
    return (
        f"{i}. {clean_text(u.unit)}（{clean_text(u.tier_label)}，评价得分{fmt(u.total)}，{status}）"
    )


def item_rows(u: UnitResult) -> list[list[str]]:
    """The annex rows of a unit: 序号, 项目, 分值, 自评分, 核定分, 来源."""
    return [
        [
            str(it.no),
            clean_text(it.short or it.text),
            it.max_label,
            fmt(it.self_score),
            fmt(it.verified),
            SOURCE_LABELS.get(it.source, it.source),
        ]
        for it in u.items
    ]


def _signed(value: Decimal) -> str:
    """``+5.00`` / ``-5.00``; zero without a sign."""
    return fmt(value) if value == 0 else fmt_signed(value)


def _annex(result: BatchResult, *, style: DocumentStyle) -> Iterator[str]:
    """The annex, unit by unit: a province's is tens of megabytes of XML, never held whole."""
    body = Body()
    body.page_break(BODY)
    body.paragraph("附件", HEADING, first_line_zero=True)
    body.paragraph(style.annex_title, TITLE)
    body.paragraph("", BODY)
    yield from body.parts
    for i, u in enumerate(ordered_units(result), start=1):
        body = Body()
        body.paragraph(_unit_heading(i, u), SUBHEADING)
        if u.no_sheet or not u.items:
            body.paragraph(no_sheet_note(u.status, clean_text(u.file)), BODY)
        else:
            body.table(ITEM_HEADERS, item_rows(u), widths_mm=ITEM_WIDTHS, aligns="clcrrc")
            sums = f"项目小计{fmt(u.subtotal)}，加分{_signed(u.bonus)}，减分{_signed(u.penalty)}，"
            sums += f"评价得分{fmt(u.total)}，折算得分{fmt(u.contribution, 4)}（基本分{fmt_plain(u.base)}）。"
            body.paragraph(sums, BODY)
        yield from body.parts


def _pieces(
    result: BatchResult, *, style: DocumentStyle, date: dt.date | None, year: int | None
) -> Iterator[str]:
    title = notice_title(result, style=style, year=year)
    body = Body()
    body.paragraph(title, TITLE)
    body.paragraph("", BODY)
    body.paragraph(style.addressee, BODY, first_line_zero=True)
    body.paragraph(_opening(result, year), BODY)
    body.paragraph(f"{_numeral(1)}、考核结果", HEADING)
    yield from _rank_tables(body, result)  # a category at a time: a province's is megabytes
    sections = (("暂定和未报送的单位", _open_units), ("失分较多的项目", _lost))
    for n, (heading, fill) in enumerate(sections, start=2):
        body.paragraph(f"{_numeral(n)}、{heading}", HEADING)
        fill(body, result)
        yield from body.parts
        body.parts.clear()
    if result.comparison is not None:  # compute --compare
        body.paragraph(f"{_numeral(len(sections) + 2)}、与上年比较", HEADING)
        yield from _compared(body, result)
    body.paragraph("", BODY)
    body.paragraph(f"附件：{style.annex_title}", BODY)
    closing(body, style=style, date=date)
    yield from body.parts
    yield from _annex(result, style=style)


def notice_bytes(
    result: BatchResult, *, style: DocumentStyle, date: dt.date | None, year: int | None
) -> bytes:
    """The circular as the bytes of a .docx."""
    title = notice_title(result, style=style, year=year)
    return package(style, title=title, body=_pieces(result, style=style, date=date, year=year))


def build_notice(
    result: BatchResult, *, style: DocumentStyle, date: dt.date | None, year: int | None
) -> Document:
    """The circular as a python-docx document (to read or change further)."""
    import io

    from docx import Document as open_docx

    return open_docx(io.BytesIO(notice_bytes(result, style=style, date=date, year=year)))


def write_notice(
    result: BatchResult,
    path: Path,
    *,
    style: DocumentStyle,
    date: dt.date | None,
    year: int | None,
) -> None:
    """Write the circular to ``path``. ``date`` is printed as the issue date (a blank form when
    None: nothing of the run's clock goes in); ``year`` is the assessment year when the scheme
    title lacks one."""
    save_bytes(notice_bytes(result, style=style, date=date, year=year), path)
