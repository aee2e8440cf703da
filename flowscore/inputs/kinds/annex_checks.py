"""What tells an annex sheet is not quite this year's form, for the annex reader to say: a sheet
from another version of the scheme (its items compared with the rubric's, one by one), a title
naming another year, a sheet returned with no 自评分 at all, an item numbered ``三``.

Plain functions over a grid and the rubric's sheet; the reader decides what to report."""

from __future__ import annotations

import difflib
import re
import unicodedata

from flowscore.inputs.open import Grid
from flowscore.names import label
from flowscore.rubric.model import Item, Scheme, Sheet

# -- another version of the scheme ------------------------------------------------------------

SAME_TEXT = 0.6  # difflib ratio from which two texts are the same item (as rows matched by text)
_COMPARED = 200  # characters of each text compared: a 32,767-character cell costs no more


def same_item(grid: Grid, r: int, roles: dict[str, int], item: Item) -> bool:
    """Whether row ``r`` is ``item`` by what it says: its 考核内容 is the item's name or text, or
    its 评分标准 the item's (equal once normalised, or nearly: the text of a target that
    changed from 95% to 96% is still the item)."""
    pairs: list[tuple[str, tuple[str, ...]]] = [
        (label(grid.value(r, roles["text"])), (item.short, item.text))
    ]
    if "criteria" in roles:
        pairs.append((label(grid.value(r, roles["criteria"])), (item.criteria or item.text,)))
    for written, targets in pairs:
        for target in (label(t) for t in targets if t):
            if written and written == target:
                return True
            if len(written) >= 8 and len(target) >= 8 and _close(written, target):
                return True
    return False


def _close(a: str, b: str) -> bool:
    m = difflib.SequenceMatcher(None, a[:_COMPARED], b[:_COMPARED], autojunk=False)
    return (
        m.real_quick_ratio() >= SAME_TEXT
        and m.quick_ratio() >= SAME_TEXT
        and (m.ratio() >= SAME_TEXT)
    )


def same_scheme(matched: int, sheet: Sheet) -> bool:
    """A sheet made from another rubric's template is of the same scheme when at least half of
    this rubric's items are on it (by number and text, or by text): then it is read item by
    item; fewer, and it is the form of another assessment."""
    return matched > 0 and 2 * matched >= len(sheet.items)


# -- another year -----------------------------------------------------------------------------

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_WORDS = ("考核", "评分", "细则", "考评")


def form_year(text: str) -> int | None:
    """The year a title names (``2018年度…考核评分表`` → 2018); None for other text (a date)."""
    text = unicodedata.normalize("NFKC", text)
    m = _YEAR.search(text)
    if m is None or not any(w in text for w in _TITLE_WORDS):
        return None
    return int(m.group(1))


def expected_year(scheme: Scheme, sheet: Sheet) -> int | None:
    """The year this rubric's form says: the one in its sheet's title, else the rubric's."""
    return form_year(sheet.title) or scheme.year


def title_year(grid: Grid, header: int) -> tuple[int, int, int] | None:
    """(year, row, col) of the first title above the header that names a year."""
    for r in range(header):
        for c, v in enumerate(grid.rows[r]):
            if isinstance(v, str) and (year := form_year(v)) is not None:
                return year, r, c
    return None


# -- 序号 written as a Chinese numeral --------------------------------------------------------

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL = re.compile(r"^[（(]?([一二三四五六七八九十]{1,3})[)）、.．]?$")


def chinese_number(written: str) -> int | None:
    """``三`` → 3, ``十二`` → 12, ``（三）`` and ``三、`` too (1–99); None for anything else."""
    m = _NUMERAL.match(written.strip())
    if m is None:
        return None
    text = m.group(1)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS) or "十" in ones:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def numbers_sections(sheet: Sheet, written: str) -> bool:
    """Whether the rubric numbers its items within sections named by this numeral
    (``三.1``, ``三、2``): then ``三`` alone is that section's heading."""
    key = written.strip().strip("（()）、.．")
    return any(str(it.no).startswith((key + ".", key + "、")) for it in sheet.items)


def is_category(sheet: Sheet, text: str) -> bool:
    """Whether a row's 考核内容 is one of the sheet's categories (a heading, not an item)."""
    written = label(text)
    return bool(written) and any(label(c.name) == written for c in sheet.categories)
