"""The faster table writer (``docx_common.table_pieces``: cells made once per layout, rows
kept) and ``reports.lost_items`` (its losers sorted by two stable sorts) give what the
code before them gave: a frozen copy of that code is kept here and compared over generated
texts (markup, line breaks, tabs, spaces at either end, control characters, lone surrogates,
U+FFFE, long texts) and tied losses (5 and 5.00)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from batches import make_batch
from docx.oxml.ns import nsdecls
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscore.results import BatchResult
from flowscore.writers import docx_common
from flowscore.writers.docx_common import CELL, CELL_HEAD, table_pieces
from flowscore.writers.reports import lost_items
from flowscore.writers.results_json import ordered_units
from flowscore.writers.safe import clean_text

# --- the code as it was (b1e5e66), kept to compare with ------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _old_xml_text(text: str) -> str:
    if not text.isprintable():
        text = _NOT_XML.sub("", clean_text(text))
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _old_cell_open(width: int, style_name: str, align: str) -> str:
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_name}"/><w:jc w:val="{align}"/></w:pPr>'
    )


def _old_row_xml(values: Sequence[str], opens: Sequence[str], flags: str) -> str:
    cells = []
    for value, start in zip(values, opens, strict=True):
        text = _old_xml_text(value)
        if text:
            cells.append(f'{start}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>')
        else:
            cells.append(start + "</w:p></w:tc>")
    return f"<w:tr><w:trPr>{flags}</w:trPr>{''.join(cells)}</w:tr>"


def _old_table_pieces(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths_mm: Sequence[float],
    aligns: str,
    namespace: bool = True,
) -> Iterator[str]:
    widths = [docx_common._twips(w) for w in widths_mm]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    heads = [_old_cell_open(w, CELL_HEAD, "center") for w in widths]
    opens = [
        _old_cell_open(w, CELL, docx_common._JC[a]) for w, a in zip(widths, aligns, strict=True)
    ]
    decl = f" {nsdecls('w')}" if namespace else ""
    yield (
        f'<w:tbl{decl}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/>{docx_common._TABLE_LOOK}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
    )
    yield _old_row_xml(headers, heads, "<w:cantSplit/><w:tblHeader/>")
    for values in rows:
        yield _old_row_xml(values, opens, "<w:cantSplit/>")
    yield "</w:tbl>"


def _old_lost_items(result: BatchResult) -> list[tuple[object, ...]]:
    groups: dict[tuple[str, str], list] = {}
    order: list[tuple[str, str]] = []
    for u in ordered_units(result):
        for it in u.items:
            key = (u.sheet, str(it.no))
            g = groups.get(key)
            if g is None:
                g = groups[key] = [
                    str(it.no),
                    clean_text(it.short or it.text),
                    it.max_label,
                    Decimal(0),
                    [],
                    0,
                ]
                order.append(key)
            if it.verified is None:
                continue
            g[5] += 1
            if it.lost > 0:
                g[3] += it.lost
                g[4].append((it.lost, u.unit))
    rows = [groups[k] for k in order if groups[k][3] > 0]
    index = {id(g): i for i, g in enumerate(rows)}
    rows.sort(key=lambda g: (-g[3], -len(g[4]), index[id(g)]))
    for g in rows:
        g[4].sort(key=lambda x: (-x[0], x[1]))
    return [_exact(*g) for g in rows]


def _exact(no, name, max_label, lost, losers, verified):
    # Decimals by their text: 5 and 5.00 are equal, yet print apart.
    return no, name, max_label, str(lost), [(str(p), u) for p, u in losers], verified


# --- texts -----------------------------------------------------------------------------------

_ODD = [
    "",
    " ",
    "&<>\"'",
    "a\r\nb\rc\nd",
    "\ttab",
    " lead",
    "trail ",
    "\x00\x01\x07\x1b[2J\x7f\x85",
    "\ud800",
    "\udcd4\udcc2",
    "a\ufffeb\uffff",
    "\u202e月湖\u200f",
    "第一项“工作报备”",
    "35.00",
    "—",
    "长" * 250,
    "x&" * 1200,  # a row longer than a kept row
]
_TEXT = st.sampled_from(_ODD) | st.text(
    st.characters(codec=None, exclude_categories=()), max_size=30
)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[float], str, bool]:
    n = draw(st.integers(1, 7))
    headers = draw(st.lists(_TEXT, min_size=n, max_size=n))
    widths = draw(st.lists(st.sampled_from([16.0, 20, 22.5, 60.0]), min_size=n, max_size=n))
    aligns = "".join(draw(st.lists(st.sampled_from("lcr"), min_size=n, max_size=n)))
    pool = draw(st.lists(st.lists(_TEXT, min_size=n, max_size=n), min_size=1, max_size=6))
    rows = draw(st.lists(st.sampled_from(pool), max_size=12))  # rows recur, as in the annex
    return headers, [list(r) for r in rows], widths, aligns, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(_tables(), _tables())
def test_table_pieces_as_before(first, second):
    for headers, rows, widths, aligns, namespace in (first, second, first):  # kept, then again
        kw = {"widths_mm": widths, "aligns": aligns, "namespace": namespace}
        new = "".join(table_pieces(headers, rows, **kw))
        assert new == "".join(_old_table_pieces(headers, rows, **kw))


def test_kept_rows_stay_bounded():
    headers, widths = ["a", "b"], [20.0, 20.0]
    rows = [[str(i), "长" * 1500] for i in range(docx_common._ROWS + 50)]  # too long to keep
    rows += [[str(i), "\x00" * 3000] for i in range(50)]  # a short row of long texts
    rows += [[str(i), "x"] for i in range(docx_common._ROWS + 50)]
    new = "".join(table_pieces(headers, rows, widths_mm=widths, aligns="lr"))
    assert new == "".join(_old_table_pieces(headers, rows, widths_mm=widths, aligns="lr"))
    layout = docx_common._layout(tuple(headers), tuple(widths), "lr", True)
    assert len(layout.rows) == docx_common._ROWS  # the short rows, up to the bound
    assert all(len(r) + sum(map(len, k)) <= docx_common._ROW_LEN for k, r in layout.rows.items())


_SCORES = [Decimal("5"), Decimal("5.00"), Decimal("4.5"), Decimal("4.50"), Decimal("0"), None]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["甲", "乙", "丙", "丁", "戊"]), st.sampled_from(_SCORES)),
        min_size=1,
        max_size=20,
    )
)
def test_lost_items_as_before(units):
    """Units with equal losses written apart (5, 5.00), a unit name twice: the same groups in
    the same order, and the same losers in the same order, as the sort by (−points, unit)."""
    batch = make_batch()
    base = next(u for u in batch.units if u.items and not u.no_sheet)
    made = []
    for i, (name, verified) in enumerate(units):
        first, *rest = base.items
        items = (dataclasses.replace(first, verified=verified), *rest)
        made.append(dataclasses.replace(base, unit=name, rank=i % 3 + 1, items=items))
    result = dataclasses.replace(batch, units=(*batch.units, *made))
    assert [_exact(*dataclasses.astuple(g)) for g in lost_items(result)] == _old_lost_items(result)
