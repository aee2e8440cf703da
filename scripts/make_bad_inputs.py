"""The bad-input corpus (issue #4): every way a submissions folder can go wrong, each made by a
function, so tests build what they need in a temporary folder and nothing is edited by hand.

    .venv/bin/python scripts/make_bad_inputs.py                  # small cases: tests/fixtures/bad
    .venv/bin/python scripts/make_bad_inputs.py --all --out DIR  # every case, large ones too

Each case is a folder: the good part of a batch (``make_good``: 月湖街道's sheet, which scores
exactly 93.25, and the indicator workbook) plus the bad file(s) of that case. ``flowscore check``
on a case folder shows the findings; ``tests/test_bad_inputs.py`` asserts them one by one.

The makers need the dev extras: openpyxl (always there), xlwt (.xls), odfpy (.ods through
pandas) and msoffcrypto-tool (an encrypted workbook).
"""

from __future__ import annotations

import argparse
import io
import shutil
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from builders import EXAMPLE, indicator_book, published_annex, town_rows  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "bad"

GOOD_UNIT = "月湖街道"
GOOD_TOTAL = "93.25"  # DOMAIN.md §6: 5 + 35 + 30 + 13.25 + 5 + 5
OTHER = "西门街道"  # the unit whose files go wrong
GOOD_FILE = "附件1-月湖街道.xlsx"
INDICATORS = "指标数据.xlsx"
BAD_ANNEX = "附件1-西门街道.xlsx"

# Billion laughs: ten levels of ten, 10⁹ "lol"s (3 GB) if anything expanded it.
LOL_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE_DTD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


# ----------------------------------------------------------------------------------------------
# The good part of every case


def indicator_rows(**other: object) -> dict[str, dict]:
    """月湖街道 as in the worked example with every document reported; 西门街道 with a lower
    participation rate, so 月湖街道 keeps rank 1 (item 3 = 30) whatever 西门街道's files do."""
    return {
        GOOD_UNIT: {**EXAMPLE, "未报备发文数": 0},
        OTHER: {**EXAMPLE, "年度新增参加量化积分人数": 50, **other},
    }


def make_good(folder: Path, *, indicators: bool = True) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        published_annex(
            folder / GOOD_FILE,
            unit=GOOD_UNIT,
            rows=town_rows(verified=(None, None, None, 13.25, 5, 5)),
        )
    ]
    if indicators:
        written.append(indicator_book(folder / INDICATORS, indicator_rows()))
    return written


def other_annex(path: Path, **kw) -> Path:
    """西门街道's sheet in the published layout; keywords go to ``published_annex``."""
    kw.setdefault("rows", town_rows(verified=(None, None, None, 12, 4, 5)))
    return published_annex(path, unit=kw.pop("unit", OTHER), **kw)


def annex_bytes(**kw) -> bytes:
    buf = io.BytesIO()
    other_annex(buf, **kw)  # openpyxl saves to a file object as well
    return buf.getvalue()


def annex_table(unit: str = OTHER) -> list[list[object]]:
    """The cells of ``other_annex`` as a table (for writers other than openpyxl)."""
    wb = openpyxl.load_workbook(io.BytesIO(annex_bytes(unit=unit)))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


# ----------------------------------------------------------------------------------------------
# Zip surgery


def rewrite_zip(data: bytes, changes: dict[str, Callable[[bytes], bytes] | bytes]) -> bytes:
    """A copy of a zip with some members replaced (a function of the old bytes, or new bytes)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zi,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo,
    ):
        for info in zi.infolist():
            body = zi.read(info.filename)
            change = changes.get(info.filename)
            if change is not None:
                body = change(body) if callable(change) else change
            zo.writestr(info.filename, body)
        for name, change in changes.items():
            if name not in zi.namelist():
                zo.writestr(name, change if isinstance(change, bytes) else change(b""))
    return out.getvalue()


def with_dtd(dtd: str, entity: str) -> Callable[[bytes], bytes]:
    """Put a DTD before the root element and a reference to ``entity`` into the first text."""

    def change(body: bytes) -> bytes:
        text = body.decode("utf-8")
        if text.startswith("<?xml"):
            decl, _, text = text.partition("?>")
            decl += "?>"
        else:
            decl = ""
        for tag in ("<t>", "<vt:lpwstr>", '<t xml:space="preserve">'):
            if tag in text:
                text = text.replace(tag, tag + f"&{entity};", 1)
                break
        return (decl + dtd + text).encode("utf-8")

    return change


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written byte by byte: (name, stored data, method, crc, declared size) each, so a
    test can declare sizes that are not true."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size in members:
        offset = out.tell()
        n = name.encode("utf-8")
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0x800,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
            )
        )
        out.write(n)
        out.write(data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0x800,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(
        struct.pack(
            "<4sHHHHIIH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


def deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``megabytes`` MB of spaces, built from one compressed megabyte
    repeated (full flushes make the blocks independent), and its CRC."""
    block = b" " * (1024 * 1024)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return one * megabytes + b"\x03\x00", crc  # 0x03 0x00: an empty final block


def minimal_xlsx(sheet_xml: str, *, shared_strings: str | None = None) -> bytes:
    """The smallest workbook calamine opens, with the given sheet XML (and shared strings)."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                if shared_strings is not None
                else ""
            )
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()


def _sheet_xml(rows: list[list[object]]) -> str:
    """Worksheet XML with inline strings and numbers, rows from 1."""
    from xml.sax.saxutils import escape

    out = [
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            if v is None:
                continue
            ref = f"{_col(c)}{r}"
            if isinstance(v, int | float):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


def _col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


# ----------------------------------------------------------------------------------------------
# The cases: each writes its bad file(s) into ``folder`` (which already has the good part)


def not_spreadsheet(folder: Path) -> None:
    (folder / BAD_ANNEX).write_text(
        "西门街道自评分：5、40、30、15、5、5（请查收）\n", encoding="utf-8"
    )


def truncated_zip(folder: Path) -> None:
    data = annex_bytes()
    (folder / BAD_ANNEX).write_bytes(data[: len(data) * 2 // 3])


def corrupt_zip(folder: Path) -> None:
    data = bytearray(annex_bytes())
    for i in range(400, 2400):  # inside the first parts' compressed data and headers
        data[i] ^= 0x5A
    (folder / BAD_ANNEX).write_bytes(bytes(data))


def encrypted(folder: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(annex_bytes())).encrypt("123456", out)
    (folder / BAD_ANNEX).write_bytes(out.getvalue())


def empty_file(folder: Path) -> None:
    (folder / BAD_ANNEX).write_bytes(b"")


def empty_workbook(folder: Path) -> None:
    openpyxl.Workbook().save(folder / BAD_ANNEX)  # what "new, save" gives: one blank sheet


def no_header(folder: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评"
    ws.append(["西门街道 2019 年自评情况"])
    for i, s in enumerate((5, 40, 30, 15, 5, 5), 1):
        ws.append([f"第{i}项", s])
    wb.save(folder / BAD_ANNEX)


def legacy_xls(folder: Path) -> None:
    """西门街道's sheet saved as Excel 97-2003 (.xls), written by xlwt: read by calamine."""
    write_xls(folder / "附件1-西门街道.xls", annex_table())


def write_xls(path: Path, table: list[list[object]]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(table):
        for c, v in enumerate(row):
            if v is not None:
                sheet.write(r, c, v)
    book.save(str(path))
    return path


def ods(folder: Path) -> None:
    """西门街道's sheet as OpenDocument (.ods), written by pandas' odf writer."""
    import pandas as pd

    pd.DataFrame(annex_table()).to_excel(
        folder / "附件1-西门街道.ods", engine="odf", header=False, index=False
    )


def wps_et(folder: Path) -> None:
    """A WPS 表格 file (.et) holding an .xls workbook: read by its content."""
    write_xls(folder / "附件1-西门街道.et", annex_table())


def wps_et_garbage(folder: Path) -> None:
    (folder / "附件1-西门街道.et").write_bytes(b"\x00\x01WPS-ET?\x00" * 64)


def xls_named_xlsx(folder: Path) -> None:
    """An .xls renamed to .xlsx by hand: read by content, with a note."""
    write_xls(folder / BAD_ANNEX, annex_table())


def html_named_xls(folder: Path) -> None:
    """What many systems' "export to Excel" writes: an HTML table named .xls."""
    (folder / "西门街道导出.xls").write_text(
        "<html><body><table><tr><td>序号</td><td>自评分</td></tr>"
        "<tr><td>1</td><td>5</td></tr></table></body></html>",
        encoding="utf-8",
    )


def csv_file(folder: Path) -> None:
    (folder / "指标补充.csv").write_text("单位,持证数\n西门街道,1000\n", encoding="utf-8-sig")


def xlsb_file(folder: Path) -> None:
    (folder / "附件1-西门街道.xlsb").write_bytes(b"PK\x05\x06" + b"\x00" * 18)


def numbers_file(folder: Path) -> None:
    (folder / "附件1-西门街道.numbers").write_bytes(b"PK\x05\x06" + b"\x00" * 18)


def other_documents(folder: Path) -> None:
    """The unit's annual report in Word (text, no table) and its seal page as PDF."""
    import docx

    report = docx.Document()
    report.add_heading("西门街道2019年度流动人口服务管理工作总结", level=1)
    report.add_paragraph("一、基本情况。全年新登记流动人口……")
    report.add_paragraph("二、主要做法。推进新型居住证申领……")
    report.save(folder / "西门街道2019年度工作总结.docx")
    (folder / "西门街道盖章页.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def lock_file(folder: Path) -> None:
    (folder / "~$附件1-月湖街道.xlsx").write_bytes(b"\x06clerk" + b" " * 100)


def formula_errors(folder: Path) -> None:
    """#DIV/0! in 西门街道's 核定分 of item 4 (E8), #REF! in its 持证数 (indicator cell)."""
    path = other_annex(folder / BAD_ANNEX)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["E8"].value = "#DIV/0!"
    ws["E8"].data_type = "e"
    wb.save(path)
    book = indicator_book(folder / INDICATORS, indicator_rows())
    wb = openpyxl.load_workbook(book)
    ws = wb["指标"]
    col = [c.value for c in ws[1]].index("持证数") + 1
    cell = ws.cell(row=3, column=col)  # row 3: 西门街道
    cell.value = "#REF!"
    cell.data_type = "e"
    wb.save(book)


def _score_case(value: object) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        other_annex(folder / BAD_ANNEX, rows=town_rows(verified=(None, None, None, value, 4, 5)))

    make.__doc__ = f"核定分 of item 4 (E8) is {value!r}."
    return make


score_out_of_range = _score_case(16)
score_negative = _score_case(-3)
score_not_numeric = _score_case("良好")
score_with_unit = _score_case("35分")


# What a pending 核定分 really is (issue 14, 3): not a score, a deleted row, a merged cell.

verified_percent = _score_case("90%")


def row_deleted(folder: Path) -> None:
    """西门街道's sheet without the row of item 5 (公共服务)."""
    rows = town_rows(verified=(None, None, None, 12, 4, 5))
    other_annex(folder / BAD_ANNEX, rows=[*rows[:4], *rows[5:]])


def verified_merged(folder: Path) -> None:
    """核定分 E8:E9 merged: item 4's 12 is in E8, item 5's cell E9 is part of it."""
    path = other_annex(folder / BAD_ANNEX, rows=town_rows(verified=(None, None, None, 12, None, 5)))
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("E8:E9")
    wb.save(path)


# Forms that are not this year's annex (issue 14, 4).


def other_year(folder: Path) -> None:
    """西门街道 filled last year's form: titled 2018年度 (the rubric is 2019's)."""
    path = other_annex(folder / BAD_ANNEX)
    wb = openpyxl.load_workbook(path)
    wb.active["A2"] = "2018年度镇（乡）街道流动人口服务管理项目考核评分表"
    wb.save(path)


def no_self_scores(folder: Path) -> None:
    """西门街道's sheet returned with every 自评分 blank (核定分 typed by the office)."""
    rows = town_rows(self_scores=(None,) * 6, verified=(None, None, None, 12, 4, 5))
    other_annex(folder / BAD_ANNEX, rows=rows)


def blank_form(folder: Path) -> None:
    """西门街道 returned the blank form: neither 自评分 nor 核定分."""
    rows = town_rows(self_scores=(None,) * 6, verified=(None,) * 6)
    other_annex(folder / BAD_ANNEX, rows=rows)


def chinese_numeral(folder: Path) -> None:
    """Item 3 numbered ``三`` (the rubric numbers it 3)."""
    rows = town_rows(verified=(None, None, None, 12, 4, 5))
    rows[2] = ("三", *rows[2][1:])
    other_annex(folder / BAD_ANNEX, rows=rows)


def chinese_headings(folder: Path) -> None:
    """Section headings 一、二 (no scores) above items numbered 1–3 and 4–6."""
    rows = town_rows(verified=(None, None, None, 12, 4, 5))
    heads = [("一", "基础工作", None, None, None, ""), ("二", "管理和服务", None, None, None, "")]
    other_annex(folder / BAD_ANNEX, rows=[heads[0], *rows[:3], heads[1], *rows[3:]])


# Last year's outputs left among this year's materials (issue 14, 1).

OLD = "去年"  # sorts before this year's files (去 < 指 < 附): read first, its figures would win
OLD_SUMMARY = f"{OLD}/2018年度考核汇总（备份）.xlsx"
OLD_FILES = {
    "考核汇总.xlsx": OLD_SUMMARY,
    "考核结果通报（草稿）.docx": f"{OLD}/通报.docx",
    f"反馈单/{GOOD_UNIT}.docx": f"{OLD}/{GOOD_UNIT}反馈单.docx",
    "results.json": f"{OLD}/结果.json",
}


def old_outputs(folder: Path) -> None:
    """A run on last year's figures (5 unreported documents, 月湖街道 核定 8), its outputs
    renamed into 去年/ without their output folder: its 指标 sheet would read as indicators,
    its 排名 as the city ranking, its 反馈单 as 月湖街道's annex."""
    import tempfile

    from flowscore.compute import compute_folder
    from flowscore.writers import write_outputs

    with tempfile.TemporaryDirectory() as tmp:
        last = Path(tmp) / "in"
        last.mkdir()
        published_annex(
            last / GOOD_FILE, unit=GOOD_UNIT, rows=town_rows(verified=(None, None, None, 8, 5, 5))
        )
        rows = indicator_rows()
        rows[GOOD_UNIT]["未报备发文数"] = 5
        indicator_book(last / INDICATORS, rows)
        result = compute_folder(last, rubric="haishu-2019")
        out = Path(tmp) / "out"
        write_outputs(result, out_dir=out, force=True, jobs=1)
        (folder / OLD).mkdir()
        for name, target in OLD_FILES.items():
            shutil.copyfile(out / name, folder / target)


def unknown_item(folder: Path) -> None:
    other_annex(folder / BAD_ANNEX, rows=[*town_rows(), (7, "多出来的一项", 5, 5, 5, "")])


def duplicate_item(folder: Path) -> None:
    rows = town_rows(verified=(None, None, None, 12, 4, 5))
    other_annex(folder / BAD_ANNEX, rows=[*rows[:4], (4, "重复的第4项", 15, 15, 9, ""), *rows[4:]])


def unknown_unit(folder: Path) -> None:
    other_annex(folder / "附件1-西门.xlsx", unit="西门镇街道办")


def two_files_one_unit(folder: Path) -> None:
    other_annex(folder / BAD_ANNEX)
    other_annex(
        folder / "附件1-西门街道（修改后）.xlsx",
        rows=town_rows(verified=(None, None, None, 14, 5, 5)),
    )


def header_row_30(folder: Path) -> None:
    other_annex(folder / BAD_ANNEX, title_rows=28)  # seal line on row 29, header on row 30


def rows_100k(folder: Path) -> None:
    """A person-level export (100,000 rows, no recognised header) dropped into the folder."""
    rows: list[list[object]] = [["姓名", "证件号码", "登记日期", "居住地址"]]
    rows += [
        [f"流动人口{i}", f"3302{i:014d}", "2019-06-01", f"西门街道某小区{i % 500}号"]
        for i in range(1, 100_000)
    ]
    (folder / "西门街道登记明细.xlsx").write_bytes(minimal_xlsx(_sheet_xml(rows)))


LONG = 32_767  # Excel's most characters in one cell


def long_cells(folder: Path) -> None:
    """A 32,767-character 自评分 in 西门街道's sheet and a unit name as long in the indicators."""
    other_annex(
        folder / BAD_ANNEX,
        rows=town_rows(
            self_scores=(5, 40, 30, "很" * LONG, 5, 5), verified=(None, None, None, 12, 4, 5)
        ),
    )
    indicator_book(folder / INDICATORS, {**indicator_rows(), "长" * LONG: EXAMPLE})


def lol_in_sheet(folder: Path) -> None:
    data = rewrite_zip(annex_bytes(), {"xl/worksheets/sheet1.xml": with_dtd(LOL_DTD, "lol9")})
    (folder / BAD_ANNEX).write_bytes(data)


def lol_in_shared_strings(folder: Path) -> None:
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>单位</t></si></sst>'
    )
    data = minimal_xlsx(sheet, shared_strings=strings)
    data = rewrite_zip(data, {"xl/sharedStrings.xml": with_dtd(LOL_DTD, "lol9")})
    (folder / BAD_ANNEX).write_bytes(data)


def xxe_in_sheet(folder: Path) -> None:
    data = rewrite_zip(annex_bytes(), {"xl/worksheets/sheet1.xml": with_dtd(XXE_DTD, "xxe")})
    (folder / BAD_ANNEX).write_bytes(data)


def xxe_in_custom_props(folder: Path) -> None:
    """A template-made sheet (it carries docProps/custom.xml) with an external entity there."""
    from flowscore.rubric import load_rubric
    from flowscore.template import build_annex_workbook

    buf = io.BytesIO()
    build_annex_workbook(load_rubric()[0], OTHER).save(buf)
    data = rewrite_zip(buf.getvalue(), {"docProps/custom.xml": with_dtd(XXE_DTD, "xxe")})
    (folder / BAD_ANNEX).write_bytes(data)


def zip_bomb(folder: Path) -> None:
    """A sheet part that truly inflates to 300 MB (from ~300 KB) and says so: ratio ~1000:1."""
    stream, crc = deflated_zeros(300)
    bomb(folder / BAD_ANNEX, stream, crc, 300 * 1024 * 1024)


def zip_bomb_lying(folder: Path) -> None:
    """The same 300 MB, declared as 5,000 bytes: only bounded inflation finds it."""
    stream, crc = deflated_zeros(300)
    bomb(folder / BAD_ANNEX, stream, crc, 5000)


def bomb(
    path: Path,
    stream: bytes,
    crc: int,
    declared: int,
    *,
    source: bytes | None = None,
    part: str = "xl/worksheets/sheet1.xml",
) -> None:
    """``source`` (the annex workbook) with ``part`` replaced by the deflated ``stream``, its
    size declared as ``declared``."""
    with zipfile.ZipFile(io.BytesIO(annex_bytes() if source is None else source)) as zf:
        members = []
        for info in zf.infolist():
            body = zf.read(info.filename)
            if info.filename == part:
                members.append((info.filename, stream, 8, crc, declared))
            else:
                c = zlib.compressobj(6, zlib.DEFLATED, -15)
                members.append(
                    (info.filename, c.compress(body) + c.flush(), 8, zlib.crc32(body), len(body))
                )
    path.write_bytes(raw_zip(members))


def far_cell(folder: Path) -> None:
    """A stray value at XFD1048576 on a second sheet: calamine would allocate a 1,048,576 ×
    16,384 grid (550 GB) and abort the process. The annex sheet itself is fine."""
    path = other_annex(folder / BAD_ANNEX)
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("备用")
    ws["A1"] = "备用"
    ws["XFD1048576"] = "误填"
    wb.save(path)


# The same stray cell, spelled every way the XML allows and calamine accepts: each of these
# aborted the whole process (a failed 77–650 GB allocation) before the dimension scan.
FAR_SPELLINGS = {
    "lowercase": '<row r="900000"><c r="zz900000"><v>1</v></c></row>',
    "spaces": '<row r="900000"><c r = "ZZ900000"><v>1</v></c></row>',
    "single_quotes": "<row r='900000'><c r='ZZ900000'><v>1</v></c></row>",
    "tab": '<row r="900000"><c\tr="ZZ900000"><v>1</v></c></row>',
    "prefixed": (
        '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'r="900000"><x:c r="ZZ900000"><x:v>1</x:v></x:c></x:row>'
    ),
    "no_reference": '<row r="900000"><c><v>1</v></c></row>',
    "huge_row": '<row r="500"><c r="A99999999999"><v>1</v></c></row>',
    "huge_column": '<row r="5"><c r="AAAAAAAA5"><v>1</v></c></row>',
    "row_only": '<row r="99999999999"><c><v>1</v></c></row>',
}


def far_cell_spelled(folder: Path, spelling: str) -> Path:
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>单位</t></is></c></row>'
        + FAR_SPELLINGS[spelling]
        + "</sheetData></worksheet>"
    )
    path = folder / f"误填-{spelling}.xlsx"
    path.write_bytes(minimal_xlsx(sheet))
    return path


def ods_repeat_bomb(folder: Path) -> None:
    """An .ods of 1 KB whose one cell is repeated 1,000 columns × 1,000,000 rows."""
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="指标">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
            zipfile.ZIP_DEFLATED,
        )
    (folder / "指标补充.ods").write_bytes(out.getvalue())


def xls_sheet_bomb(folder: Path) -> None:
    """A 6 KB .xls whose four sheets each hold A1 and IV65536: calamine reads every sheet of an
    .xls on opening, 0.5 GB each (a few dozen such sheets end the process)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for i in range(1, 5):
        sheet = book.add_sheet(f"表{i}")
        sheet.write(0, 0, "单位")
        sheet.write(65535, 255, 1)
    book.save(str(folder / "指标补充.xls"))


# name → (maker, large): the large ones (hundreds of KB and more) are made only with --all
CASES: dict[str, tuple[Callable[[Path], None], bool]] = {
    "not_spreadsheet": (not_spreadsheet, False),
    "truncated_zip": (truncated_zip, False),
    "corrupt_zip": (corrupt_zip, False),
    "encrypted": (encrypted, False),
    "empty_file": (empty_file, False),
    "empty_workbook": (empty_workbook, False),
    "no_header": (no_header, False),
    "legacy_xls": (legacy_xls, False),
    "ods": (ods, False),
    "wps_et": (wps_et, False),
    "wps_et_garbage": (wps_et_garbage, False),
    "xls_named_xlsx": (xls_named_xlsx, False),
    "html_named_xls": (html_named_xls, False),
    "csv_file": (csv_file, False),
    "xlsb_file": (xlsb_file, False),
    "numbers_file": (numbers_file, False),
    "other_documents": (other_documents, False),
    "lock_file": (lock_file, False),
    "formula_errors": (formula_errors, False),
    "score_out_of_range": (score_out_of_range, False),
    "score_negative": (score_negative, False),
    "score_not_numeric": (score_not_numeric, False),
    "score_with_unit": (score_with_unit, False),
    "unknown_item": (unknown_item, False),
    "duplicate_item": (duplicate_item, False),
    "unknown_unit": (unknown_unit, False),
    "two_files_one_unit": (two_files_one_unit, False),
    "header_row_30": (header_row_30, False),
    "rows_100k": (rows_100k, True),
    "long_cells": (long_cells, False),
    "lol_in_sheet": (lol_in_sheet, False),
    "lol_in_shared_strings": (lol_in_shared_strings, False),
    "xxe_in_sheet": (xxe_in_sheet, False),
    "xxe_in_custom_props": (xxe_in_custom_props, False),
    "zip_bomb": (zip_bomb, True),
    "zip_bomb_lying": (zip_bomb_lying, True),
    "far_cell": (far_cell, False),
    "ods_repeat_bomb": (ods_repeat_bomb, False),
    "xls_sheet_bomb": (xls_sheet_bomb, False),
    "verified_percent": (verified_percent, False),
    "row_deleted": (row_deleted, False),
    "verified_merged": (verified_merged, False),
    "other_year": (other_year, False),
    "no_self_scores": (no_self_scores, False),
    "blank_form": (blank_form, False),
    "chinese_numeral": (chinese_numeral, False),
    "chinese_headings": (chinese_headings, False),
    "old_outputs": (old_outputs, False),
}


Cases = Mapping[str, tuple[Callable[[Path], None], bool]]


def make_case(name: str, folder: Path, *, cases: Cases | None = None) -> Path:
    """The folder of one case: the good part, then the case's bad file(s). ``cases``: another
    script's table (make_bad_docx.py), on the same good part."""
    make_good(folder)
    (CASES if cases is None else cases)[name][0](folder)
    return folder


def make_all(out: Path, *, large: bool = False, cases: Cases | None = None) -> list[str]:
    made = []
    for name, (_, is_large) in (CASES if cases is None else cases).items():
        if is_large and not large:
            continue
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        make_case(name, target, cases=cases)
        made.append(name)
    return made


def main(
    argv: list[str] | None = None,
    *,
    cases: Cases | None = None,
    default_out: Path = DEFAULT_OUT,
    what: str = "有问题的输入",
    large: str = "10 万行、压缩炸弹",
) -> int:
    parser = argparse.ArgumentParser(description=f"生成“{what}”样例（每种情况一个文件夹）")
    parser.add_argument("--out", type=Path, default=default_out, help="输出文件夹")
    parser.add_argument("--all", action="store_true", help=f"也生成大文件（{large}）")
    args = parser.parse_args(argv)
    made = make_all(args.out, large=args.all, cases=cases)
    print(f"已生成 {len(made)} 种情况到 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
