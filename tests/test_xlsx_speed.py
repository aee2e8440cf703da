"""The faster worksheet rows of ``xlsx_raw`` against the writer as it was: the same bytes.

``_reference_rows`` is the old ``_rows_xml`` (``format(…, "f")`` and an f-string per cell,
characters XML cannot carry removed from the whole sheet's XML afterwards), kept here with the
old ``Text`` as the oracle. Generated rows mix None, ints, bools, finite and non-finite Decimals
of any exponent, and texts with markup, line breaks, edge spaces, formula prefixes, control
characters, lone surrogates and non-characters; values repeat, so the per-column caches are
exercised too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Context, Decimal, localcontext
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowscore.writers import xlsx_raw
from flowscore.writers.safe import excel_text, looks_like_formula

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _OldText:
    def __init__(self, text: str, *, quoted: bool = False) -> None:
        if not text:
            self.tail = "/>"
        else:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            self.tail = f' t="inlineStr"><is><t{space}>{_old_escape(text)}</t></is></c>'
        self.quoted = quoted


def _old_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def _old_style(index: int) -> str:
    return f' s="{index}"' if index else ""


def _reference_rows(
    sheet: xlsx_raw.Sheet, letters: Sequence[str], text: Callable[[Any], _OldText]
) -> Iterator[str]:
    h = sheet.header_row
    for r, line in enumerate(sheet.preamble, start=1):
        look = xlsx_raw.TITLE if r == 1 else xlsx_raw.NOTE
        height = ' ht="30" customHeight="1"' if r == 1 else ""
        yield f'<row r="{r}"{height}><c r="A{r}" s="{look}"{_OldText(line).tail}</row>'
    header = "".join(
        f'<c r="{letter}{h}" s="{xlsx_raw.HEADER}"{_OldText(t).tail}'
        for letter, t in zip(letters, sheet.headers, strict=True)
    )
    yield f'<row r="{h}">{header}</row>'
    specs = [
        (
            letter,
            _old_style(c.number_style),
            _old_style(xlsx_raw.WRAP if c.wrap else xlsx_raw.DEFAULT),
            _old_style(xlsx_raw.WRAP_QUOTED if c.wrap else xlsx_raw.QUOTED),
        )
        for letter, c in zip(letters, sheet.columns, strict=True)
    ]
    texts: dict[str, _OldText] = {}
    for r, row in enumerate(sheet.rows, start=h + 1):
        cells = []
        for (letter, number_style, text_style, quoted_style), value in zip(specs, row, strict=True):
            if value is None:
                continue
            kind = type(value)
            if kind is int or (kind is Decimal and value.is_finite()):
                number = format(value, "f") if kind is Decimal else str(value)
                cells.append(f'<c r="{letter}{r}"{number_style}><v>{number}</v></c>')
                continue
            if kind is str:
                cell = texts.get(value)
                if cell is None:
                    cell = texts[value] = text(value)
            else:
                cell = text(value)
            style = quoted_style if cell.quoted else text_style
            cells.append(f'<c r="{letter}{r}"{style}{cell.tail}')
        yield f'<row r="{r}">{"".join(cells)}</row>'


# Two text policies: the summary's (cleaned by excel_text, quote prefix for formulas and error
# codes) and none at all, where only the writer stands between the text and the XML.
def _summary_policy(value: Any) -> tuple[str, bool]:
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    text = excel_text(value)
    return text, looks_like_formula(text) or text.startswith("#")


def _raw_policy(value: Any) -> tuple[str, bool]:
    text = str(value)
    return text, text.startswith("=")


_ODD_TEXTS = [
    "",
    " ",
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@SUM(A1)",
    "#REF!",
    ' lead & <tag> "q"',
    "trail\t",
    "a\r\nb\rc\n",
    "\x00nul\x08\x0b\x0c\x1f",
    "\x1cfs\x1d",
    "lone \ud800 surrogate \udfff",
    "non\ufffechar\uffff",
    "第02591镇",
    "😀 astral",
    "\u202etxt",
    "x" * 40000,
]
_CHARS = st.one_of(
    st.characters(exclude_categories=()),  # surrogates too
    st.sampled_from("&<>\"'\r\n\t \x00\x1c\x1f\ufffe=#"),
)
_TEXTS = st.one_of(st.sampled_from(_ODD_TEXTS), st.text(_CHARS, max_size=30))
_DECIMALS = st.one_of(
    st.builds(
        lambda sign, digits, exp: Decimal((sign, digits, exp)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=25).map(tuple),
        st.integers(-30, 30),
    ),
    st.sampled_from(
        [Decimal(s) for s in ["NaN", "-NaN", "sNaN", "NaN12", "Infinity", "-Infinity", "-0"]]
        + [Decimal("5"), Decimal("5.00"), Decimal("1E+3"), Decimal("0E-7"), Decimal("93.25")]
    ),
)
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    _DECIMALS,
    _TEXTS,
    st.sampled_from([1.5, ("t",)]),  # other kinds go to the text policy as they are
)
_COLUMNS = st.builds(
    lambda style, wrap: xlsx_raw.Column(10, style, wrap),
    st.sampled_from([xlsx_raw.DEFAULT, *xlsx_raw.NUMBER_STYLES.values()]),
    st.booleans(),
)


@st.composite
def _sheets(draw: st.DrawFn) -> tuple[list[xlsx_raw.Column], list[list[Any]], list[str]]:
    columns = draw(st.lists(_COLUMNS, min_size=1, max_size=5))
    # rows drawn from a small pool, so that values repeat down (and across) the columns
    pool = draw(st.lists(_VALUES, min_size=1, max_size=12))
    value = st.sampled_from(pool)
    rows = draw(st.lists(st.lists(value, min_size=len(columns), max_size=len(columns))))
    preamble = draw(st.lists(_TEXTS, max_size=2))
    return columns, rows, preamble


@settings(max_examples=300, deadline=None)
@given(_sheets(), st.sampled_from([_summary_policy, _raw_policy]), st.booleans())
def test_rows_as_before(
    table: tuple[list[xlsx_raw.Column], list[list[Any]], list[str]],
    policy: Callable[[Any], tuple[str, bool]],
    capitals: bool,  # False: str() of a Decimal writes a small e
) -> None:
    columns, rows, preamble = table

    def new_text(value: Any) -> xlsx_raw.Text:
        text, quoted = policy(value)
        return xlsx_raw.Text(text, quoted=quoted)

    def old_text(value: Any) -> _OldText:
        text, quoted = policy(value)
        return _OldText(text, quoted=quoted)

    headers = [f"h{i}&<" for i in range(len(columns))]
    sheet = xlsx_raw.Sheet("t", headers, columns, rows, text=new_text, preamble=preamble)
    letters = [xlsx_raw.column_letter(i) for i in range(len(columns))]
    with localcontext(Context(capitals=int(capitals))):
        new = list(xlsx_raw._rows_xml(sheet, letters, {}))
        old = list(_reference_rows(sheet, letters, old_text))
    assert len(new) == len(old)
    # The old writer removed what XML cannot carry from the joined rows; the new rows are clean.
    for n, o in zip(new, old, strict=True):
        assert n == _NOT_XML.sub("", o)
    "".join(new).encode("utf-8")  # no lone surrogate left


@settings(max_examples=500, deadline=None)
@given(_DECIMALS, st.booleans())
def test_decimal_text(value: Decimal, capitals: bool) -> None:
    with localcontext(Context(capitals=int(capitals))):
        assert xlsx_raw.decimal_text(value) == format(value, "f")
