"""The per-process memos of the read path: a hit gives exactly what a miss gives, nothing that
differs by one byte (or by type: 1, 1.0, True, "1") is taken from a memo, and each memo stays
bounded whatever a batch holds."""

from __future__ import annotations

import struct
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from flowscore.inputs.kinds import annex
from flowscore.inputs.safety import DEFAULT_LIMITS, ooxml, preflight, zipped
from flowscore.numbers import MEMO_TEXT, MEMO_TEXTS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_bad_inputs as bad


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


# -- the pre-check's memo of parts (safety.zipped.PartMemo) -----------------------------------


@pytest.fixture(scope="module")
def annex_xlsx() -> bytes:
    return bad.annex_bytes()


@pytest.fixture(autouse=True)
def empty_memos():
    ooxml._ELEMENTS.clear()
    zipped._PROLOGS_OK.clear()
    yield
    ooxml._ELEMENTS.clear()
    zipped._PROLOGS_OK.clear()


def _declared_size(data: bytes, name: str, delta: int) -> bytes:
    """``data`` with the central directory's inflated size of ``name`` changed by ``delta``."""
    out = bytearray(data)
    pos = data.index(b"PK\x01\x02")
    while data[pos : pos + 4] == b"PK\x01\x02":
        nlen, xlen, clen = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46 : pos + 46 + nlen] == name.encode():
            (size,) = struct.unpack_from("<I", data, pos + 24)
            struct.pack_into("<I", out, pos + 24, size + delta)
            return bytes(out)
        pos += 46 + nlen + xlen + clen
    raise KeyError(name)


def test_a_memo_hit_gives_the_verdict_a_miss_gives(annex_xlsx):
    miss = preflight(annex_xlsx, ".xlsx")
    kept = len(ooxml._ELEMENTS), len(zipped._PROLOGS_OK)
    assert kept[0] >= 3 and kept[1] >= 1  # relationships, workbook.xml; styles and the rest
    hit = preflight(annex_xlsx, ".xlsx")
    assert (len(ooxml._ELEMENTS), len(zipped._PROLOGS_OK)) == kept  # nothing new: all hits
    assert miss.refusal is None and miss.kind == "xlsx"
    assert hit == miss
    ooxml._ELEMENTS.clear()
    zipped._PROLOGS_OK.clear()
    assert preflight(annex_xlsx, ".xlsx") == miss


def test_memo_values_are_read_only(annex_xlsx):
    zf = zipped.Zip(annex_xlsx, DEFAULT_LIMITS)
    first = ooxml.elements(zf, "xl/workbook.xml", "sheet")
    again = ooxml.elements(zf, "xl/workbook.xml", "sheet")
    assert first is again and isinstance(first, tuple)
    with pytest.raises(TypeError):
        first[0]["name"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    "part", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"]
)
def test_a_dtd_after_the_same_parts_is_still_refused(annex_xlsx, part):
    """Every other part of the hostile file is a memo hit; the one with a DTD is not."""
    assert preflight(annex_xlsx, ".xlsx").refusal is None
    hostile = bad.rewrite_zip(annex_xlsx, {part: bad.with_dtd(bad.XXE_DTD, "xxe")})
    refused = preflight(hostile, ".xlsx").refusal
    assert refused is not None and refused.code == "file-unsafe"
    assert refused.fields["part"] == part
    assert preflight(annex_xlsx, ".xlsx").refusal is None  # and the good file still opens


def test_the_same_bytes_under_another_declared_size_are_checked_again(annex_xlsx):
    """One byte less declared for workbook.xml: the very compressed bytes the memo holds, yet
    the part inflates past what it declares and is refused."""
    assert preflight(annex_xlsx, ".xlsx").refusal is None
    lying = _declared_size(annex_xlsx, "xl/workbook.xml", -1)
    refused = preflight(lying, ".xlsx").refusal
    assert refused is not None and refused.variant == "overflow"
    assert refused.fields["part"] == "xl/workbook.xml"


def test_a_part_one_byte_apart_is_read_again(annex_xlsx):
    first = preflight(annex_xlsx, ".xlsx")
    wb = zipped.Zip(annex_xlsx, DEFAULT_LIMITS).read("xl/workbook.xml")
    (name,) = first.sheets
    other = name[:-1] + chr(ord(name[-1]) + 1)  # the sheet's name, its last character changed
    renamed = bad.rewrite_zip(
        annex_xlsx, {"xl/workbook.xml": wb.replace(name.encode(), other.encode())}
    )
    assert list(preflight(renamed, ".xlsx").sheets) == [other]
    assert list(preflight(annex_xlsx, ".xlsx").sheets) == [name]


def test_the_part_memo_is_bounded(annex_xlsx, monkeypatch):
    monkeypatch.setattr(zipped.PartMemo, "MAX_ENTRIES", 3)
    for i in range(12):
        styles = f'<styleSheet xmlns="x"><!-- {i} --></styleSheet>'.encode()
        preflight(bad.rewrite_zip(annex_xlsx, {"xl/styles.xml": styles}), ".xlsx")
        assert len(zipped._PROLOGS_OK) <= 3 and len(ooxml._ELEMENTS) <= 3
    monkeypatch.setattr(zipped.PartMemo, "MAX_ENTRIES", 512)
    monkeypatch.setattr(zipped.PartMemo, "MAX_BYTES", 2000)
    zipped._PROLOGS_OK.clear()
    ooxml._ELEMENTS.clear()
    for i in range(12):
        styles = f'<styleSheet xmlns="x"><!-- {i} --></styleSheet>'.encode()
        preflight(bad.rewrite_zip(annex_xlsx, {"xl/styles.xml": styles}), ".xlsx")
        assert zipped._PROLOGS_OK.size <= 2000 and ooxml._ELEMENTS.size <= 2000
    zipped._PROLOGS_OK.clear()
    ooxml._ELEMENTS.clear()
    monkeypatch.setattr(zipped.PartMemo, "MAX_PART", 10)  # every part larger: none kept
    assert preflight(annex_xlsx, ".xlsx").refusal is None
    assert len(zipped._PROLOGS_OK) == len(ooxml._ELEMENTS) == 0


# -- the rubric's items by number (rubric.model.Sheet.item) -----------------------------------


def _scan(sheet, no):
    """What ``Sheet.item`` was: the first item whose number reads as ``no``."""
    return next((it for it in sheet.items if str(it.no) == str(no)), None)


@pytest.mark.parametrize("rubric", ["haishu-2019", "province-2013", "beilun-streets"])
def test_items_by_number_are_the_first_the_scan_finds(rubric):
    from dataclasses import replace

    from flowscore.rubric import load_rubric

    for sheet in load_rubric(rubric)[0].sheets:
        first = sheet.items[0]
        twice = replace(sheet, items=(*sheet.items, replace(first, text="again")))
        for s in (sheet, twice):
            for no in [it.no for it in s.items] + [str(first.no), "999", "", "一.1", 1, 1.0]:
                assert s.item(no) is _scan(s, no)
        assert twice.item(first.no) is twice.items[0]


# -- the title lines above an annex header (form_year, the 检查单位 line) -----------------------


@pytest.mark.parametrize(
    "text", ["2018年度镇街道考核评分表", "２０１９年 考核细则", "2019年5月1日", "附件1", ""]
)
def test_title_year_from_the_memo_is_what_reading_gives(text):
    from flowscore.inputs.kinds import annex_check

    annex_check._short_form_year.cache_clear()
    first = annex_check.form_year(text)
    assert annex_check.form_year(text) == first == annex_check._form_year(text)
    assert annex_check._short_form_year.cache_info().hits == 1
    long = text + "考" * (MEMO_TEXT + 1)
    assert annex_check.form_year(long) == annex_check._form_year(long)
    assert annex_check._short_form_year.cache_info().currsize == 1


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("检查单位：市财政局", "市财政局"),
        ("考核单位:　区人社局 ", "区人社局"),
        ("检查单位：", None),
        ("附件1", None),
        (2019.0, None),
    ],
)
def test_assessor_line_from_the_memo_is_what_reading_gives(value, unit):
    annex._assessor_in_text.cache_clear()
    assert annex._assessor_in(value) == annex._assessor_in(value) == unit
    assert annex._assessor_in_text.cache_info().currsize == (1 if isinstance(value, str) else 0)
    assert annex._assessor_in("检查单位：" + "局" * MEMO_TEXT) == "局" * MEMO_TEXT
    assert annex._assessor_in_text.cache_info().currsize <= 1


def test_a_small_part_that_inflates_to_many_elements_is_not_kept(annex_xlsx):
    """Bounded by what it holds, not only by its compressed bytes: 20,000 relationships (a part
    of a few KB) are read, and not kept."""
    rel = '<Relationship Id="rId{}" Type="x/worksheet" Target="worksheets/sheet1.xml"/>'
    many = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rel.format(i) for i in range(2, 20_000))
        + '<Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ).encode()
    data = bad.rewrite_zip(annex_xlsx, {"xl/_rels/workbook.xml.rels": many})
    zf = zipped.Zip(data, DEFAULT_LIMITS)
    assert zf.by_name["xl/_rels/workbook.xml.rels"].compress_size < zipped.PartMemo.MAX_PART
    assert preflight(data, ".xlsx").refusal is None
    key = zf.part_key("xl/_rels/workbook.xml.rels")
    assert key is not None and ooxml._ELEMENTS.get(key, "Relationship") is None
    assert ooxml._ELEMENTS.get(zf.part_key("xl/workbook.xml"), "sheet") is not None


def test_label_memo_keeps_only_short_texts():
    """Header and item texts are normalised once each; a 32,767-character cell is normalised
    every time, never kept (8,192 of them would hold about a gigabyte)."""
    from flowscore import names

    names._label_kept.cache_clear()
    assert names.label("考  核  内  容（分）") == "考核内容"
    assert names._label_kept.cache_info().currsize == 1
    long = "考核" * 16_000
    assert names.label(long) == long
    assert names._label_kept.cache_info().currsize == 1
