"""The per-process memos of the read path: a hit gives exactly what a miss gives, nothing that
differs by one byte (or by type: 1, 1.0, True, "1") is taken from a memo, and each memo stays
bounded whatever a batch holds."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from flowscore.inputs.kinds import annex
from flowscore.numbers import MEMO_TEXT, MEMO_TEXTS


@pytest.mark.parametrize(
    ("value", "no"),
    [
        ("3", "3"),
        ("３", "3"),
        (" 3.0 ", "3"),
        ("3.5", None),
        ("一.1", "一.1"),
        ("合计", "合计"),
        ("加分 项目", "加分项目"),
        ("", None),
        ("50%", "50%"),
    ],
)
def test_item_no_from_the_memo_is_what_reading_gives(value, no):
    annex._text_item_no.cache_clear()
    assert annex._item_no(value) == annex._item_no(value) == annex._any_item_no(value) == no
    assert annex._text_item_no.cache_info().hits == 1


def test_item_no_of_numbers_and_long_texts_is_never_memoised():
    annex._text_item_no.cache_clear()
    assert annex._item_no(3.0) == annex._item_no(3) == annex._item_no(D("3")) == "3"
    assert annex._item_no(True) == "True"  # a logical value: its text, as before
    assert annex._item_no("x" * (MEMO_TEXT + 1)) == "x" * (MEMO_TEXT + 1)
    assert annex._text_item_no.cache_info().currsize == 0
    for i in range(MEMO_TEXTS + 10):
        annex._item_no(f"{i}")
    assert annex._text_item_no.cache_info().currsize == MEMO_TEXTS
