"""Hostile and odd inputs (the robustness issue): files of a few KB that once aborted the whole
process, cost minutes of CPU, crashed compute or were skipped without a word. Each case is made
by a function, beside the good part of a batch (``make_bad_inputs.make_good``).

    .venv/bin/python scripts/make_hostile_inputs.py --out DIR   # every case, one folder each

``tests/test_hostile_inputs.py`` asserts the finding of each. The cases that need a POSIX file
system (FIFOs, links, names that are not UTF-8) are made only where the system allows them.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import make_bad_inputs as bad  # noqa: E402
from builders import indicator_book  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
BAD = bad.BAD_ANNEX  # 附件1-西门街道.xlsx

SMALL_SHEET = (
    f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>单位</t></is>'
    "</c></row></sheetData></worksheet>"
)
FAR_SHEET = (
    f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>备用</t></is>'
    '</c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)


def package(
    sheets: list[tuple[str, str]],
    parts: dict[str, str],
    *,
    workbook: str | None = None,
    rels: str | None = None,
    extra: tuple[tuple[str, bytes], ...] = (),
) -> bytes:
    """An .xlsx from its pieces: (sheet name, part) pairs for workbook.xml (rId1…), the parts'
    XML, or workbook.xml / its rels written out; ``extra``: members added as they are (a second
    member of the same name)."""
    if workbook is None:
        tags = "".join(
            f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (n, _) in enumerate(sheets, 1)
        )
        workbook = f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{tags}</sheets></workbook>'
    if rels is None:
        rels = (
            f'<Relationships xmlns="{PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="{p}"/>'
                for i, (_, p) in enumerate(sheets, 1)
            )
            + "</Relationships>"
        )
    members = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": rels,
        **{f"xl/{name}": xml for name, xml in parts.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
        for name, data in extra:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Duplicate name": on purpose
                zf.writestr(name, data)
    return out.getvalue()


# -- class 1: counts and places the pre-check must bound exactly as the reader reads them -------


def shared_strings_count(folder: Path) -> None:
    """A sharedStrings part declaring uniqueCount="4294967295": calamine reserved 103 GB."""
    sheet = (
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        "</sheetData></worksheet>"
    )
    sst = f'<sst xmlns="{NS}" count="1" uniqueCount="4294967295"><si><t>单位</t></si></sst>'
    (folder / BAD).write_bytes(bad.minimal_xlsx(sheet, shared_strings=sst))


def duplicate_sheet_names(folder: Path) -> None:
    """Two <sheet> tags named alike: the reader opens the first (a cell at XFD1048576), the old
    pre-check kept the last (a small sheet)."""
    data = package(
        [("Sheet1", "worksheets/sheet1.xml"), ("Sheet1", "worksheets/sheet2.xml")],
        {"worksheets/sheet1.xml": FAR_SHEET, "worksheets/sheet2.xml": SMALL_SHEET},
    )
    (folder / BAD).write_bytes(data)


def sheet_in_comment(folder: Path) -> None:
    """A <sheet> tag inside an XML comment of workbook.xml, after the real one: the reader
    ignores it, the old pre-check (a regular expression) took it and mapped the sheet to a small
    part while the reader opened the far one."""
    workbook = (
        f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        '<!-- <sheet name="Sheet1" sheetId="1" r:id="rId2"/> -->'
        "</sheets></workbook>"
    )
    data = package(
        [("Sheet1", "worksheets/sheet1.xml"), ("x", "worksheets/sheet2.xml")],
        {"worksheets/sheet1.xml": FAR_SHEET, "worksheets/sheet2.xml": SMALL_SHEET},
        workbook=workbook,
    )
    (folder / BAD).write_bytes(data)


def relationship_in_comment(folder: Path) -> None:
    """The same trick in the relationships: a commented <Relationship> for rId1 after the real
    one."""
    rels = (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<!-- <Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/> -->'
        f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        "</Relationships>"
    )
    data = package(
        [("Sheet1", "worksheets/sheet1.xml"), ("Sheet2", "worksheets/sheet2.xml")],
        {"worksheets/sheet1.xml": FAR_SHEET, "worksheets/sheet2.xml": SMALL_SHEET},
        rels=rels,
    )
    (folder / BAD).write_bytes(data)


def duplicate_zip_member(folder: Path) -> None:
    """Two zip members named xl/worksheets/sheet1.xml (small, then far)."""
    data = package(
        [("Sheet1", "worksheets/sheet1.xml")],
        {"worksheets/sheet1.xml": SMALL_SHEET},
        extra=(("xl/worksheets/sheet1.xml", FAR_SHEET.encode()),),
    )
    (folder / BAD).write_bytes(data)


def case_folded_member(folder: Path) -> None:
    """The reader finds parts whatever their case: XL/Worksheets/Sheet1.xml beside the small
    xl/worksheets/sheet1.xml."""
    data = package(
        [("Sheet1", "worksheets/sheet1.xml")],
        {"worksheets/sheet1.xml": SMALL_SHEET},
        extra=(("XL/Worksheets/Sheet1.xml", FAR_SHEET.encode()),),
    )
    (folder / BAD).write_bytes(data)


def _xls(rows: int = 3) -> bytearray:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    for r in range(rows):
        sheet.write(r, 0, f"x{r}")
    buf = io.BytesIO()
    book.save(buf)
    return bytearray(buf.getvalue())


def xls_dimensions(folder: Path) -> None:
    """An .xls whose DIMENSIONS record claims 2³²−1 rows: calamine reserved 171 GB."""
    d = _xls()
    i = d.find(b"\x00\x02\x0e\x00")
    struct.pack_into("<IIHH", d, i + 4, 0, 0xFFFFFFFF, 0, 1)
    (folder / "指标补充.xls").write_bytes(bytes(d))


def xls_fat_length(folder: Path) -> None:
    """An .xls whose compound-file header declares 2³¹ FAT sectors (an 8 GB reservation)."""
    d = _xls()
    struct.pack_into("<I", d, 44, 0x7FFFFFFF)
    (folder / "指标补充.xls").write_bytes(bytes(d))


def xls_panic(folder: Path) -> None:
    """An .xls whose sheet record points past the end of the workbook stream: calamine panics
    (the Rust message went to stderr beside the finding)."""
    d = _xls()
    i = d.find(b"\x85\x00")  # BOUNDSHEET: type 0x0085, then length, then the stream offset
    struct.pack_into("<I", d, i + 4, 0x7FFFFFF0)
    (folder / "指标补充.xls").write_bytes(bytes(d))


# -- class 2, 4: values ----------------------------------------------------------------------


ENTRY_POINTS = ("5分", "5%", "五", None)


def entry_points(folder: Path) -> None:
    """One bonus row per spelling of its 分值 (rows 2–5 of 加减分, column D)."""
    entries = [(bad.OTHER, "加分", f"专题{i}", v, "") for i, v in enumerate(ENTRY_POINTS)]
    indicator_book(folder / bad.INDICATORS, bad.indicator_rows(), entries=entries)


HUGE = "1" * 29


def huge_numbers(folder: Path) -> None:
    """29 digits and 1e300 in a score (E8, E9), an indicator (持证数 of 西门街道) and a bonus."""
    from builders import town_rows

    bad.other_annex(folder / BAD, rows=town_rows(verified=(None, None, None, HUGE, 1e300, 5)))
    indicator_book(
        folder / bad.INDICATORS,
        bad.indicator_rows(持证数=1e300),
        entries=[(bad.OTHER, "加分", "专题", HUGE, "")],
    )


# -- class 3, 6: names and text ----------------------------------------------------------------


def gbk_name(folder: Path) -> None:
    """西门街道's sheet under a GBK file name in a GBK folder name (a zip made on Chinese Windows,
    unpacked on Linux): the names are bytes that are not UTF-8."""
    sub = os.fsdecode("西门街道材料".encode("gbk"))
    (folder / sub).mkdir()
    name = os.fsdecode("附件1-西门街道.xlsx".encode("gbk"))
    bad.other_annex(folder / sub / name)


ESCAPE_NAME = "\x1b[2J附件1-西门街道.xlsx"


def escape_sequences(folder: Path) -> None:
    """A file named with ESC [2J (clear screen), and a unit cell stored as _x001B_[2J (OOXML's
    escape for a control character)."""
    bad.other_annex(folder / ESCAPE_NAME, unit="西门镇_x001B_[2J")  # the seal line: unknown unit
    path = folder / "指标补充.xlsx"
    sheet = (
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>单位</t>'
        '</is></c><c r="B1" t="inlineStr"><is><t>持证数</t></is></c></row><row r="2">'
        '<c r="A2" t="inlineStr"><is><t>_x001B_[2J_x001B_[31m某单位</t></is></c>'
        '<c r="B2"><v>1</v></c></row></sheetData></worksheet>'
    )
    path.write_bytes(bad.minimal_xlsx(sheet))


# -- class 5: work ---------------------------------------------------------------------------


def long_text_rows(folder: Path, rows: int = 3000) -> None:
    """A department sheet without 序号 whose rows all hold one 32,767-character shared string
    and a score: each row was compared with every item by difflib (142 s for 3,000 rows)."""
    head = ["考核内容", "分值", "自评分", "核定分"]
    strings = [*head, "区人力社保局", "部门(盖章)：区人力社保局", "很" * 32_767]
    cells = ['<row r="1"><c r="A1" t="s"><v>5</v></c></row>', '<row r="2">']
    cells += [f'<c r="{c}2" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCD")]
    cells.append("</row>")
    for r in range(3, 3 + rows):
        cells.append(f'<row r="{r}"><c r="A{r}" t="s"><v>6</v></c><c r="C{r}"><v>1</v></c></row>')
    sheet = f'<worksheet xmlns="{NS}"><sheetData>{"".join(cells)}</sheetData></worksheet>'
    sst = (
        f'<sst xmlns="{NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    (folder / "附件2-区人力社保局.xlsx").write_bytes(bad.minimal_xlsx(sheet, shared_strings=sst))


# -- class 10: what a folder holds besides files ----------------------------------------------


def odd_entries(folder: Path) -> None:
    """A FIFO, a dangling link, a link to itself and a link to /dev/zero, each named *.xlsx,
    and a link to a folder."""
    os.mkfifo(folder / "管道.xlsx")
    os.symlink(folder / "不存在.xlsx", folder / "失效链接.xlsx")
    os.symlink("循环.xlsx", folder / "循环.xlsx")
    os.symlink("/dev/zero", folder / "零.xlsx")
    (folder.parent / f"{folder.name}-外部").mkdir(exist_ok=True)
    os.symlink(folder.parent / f"{folder.name}-外部", folder / "外部材料")


def lookalike_output(folder: Path) -> None:
    """A unit's subfolder that merely holds files named results.json and 考核汇总.xlsx: read, with
    its workbook; beside it a real earlier output folder (skipped, said)."""
    sub = folder / "西门街道"
    sub.mkdir()
    (sub / "results.json").write_text('{"说明": "单位自己的文件"}', encoding="utf-8")
    (sub / "考核汇总.xlsx").write_bytes(bad.minimal_xlsx(SMALL_SHEET))
    bad.other_annex(sub / BAD)
    old = folder / "上次结果"
    old.mkdir()
    (old / "results.json").write_text(
        '{\n  "complete": true,\n  "format": "flowscore-results",\n  "format_version": 1\n}\n',
        encoding="utf-8",
    )
    (old / "考核汇总.xlsx").write_bytes(bad.minimal_xlsx(SMALL_SHEET))
    bad.other_annex(old / "附件1-西门街道（旧）.xlsx")


# -- class 12: how much a message may quote --------------------------------------------------


def many_sheets(folder: Path, count: int = 300) -> None:
    """One workbook holding the same unit's annex sheet ``count`` times (the issue's had
    10,000): the duplicate-unit finding listed every sheet."""
    from openpyxl import load_workbook

    path = bad.other_annex(folder / BAD)
    wb = load_workbook(path)
    for i in range(2, count + 1):
        wb.copy_worksheet(wb.worksheets[0]).title = f"表{i}"
    wb.save(path)


CASES: dict[str, Callable[[Path], None]] = {
    "shared_strings_count": shared_strings_count,
    "duplicate_sheet_names": duplicate_sheet_names,
    "sheet_in_comment": sheet_in_comment,
    "relationship_in_comment": relationship_in_comment,
    "duplicate_zip_member": duplicate_zip_member,
    "case_folded_member": case_folded_member,
    "xls_dimensions": xls_dimensions,
    "xls_fat_length": xls_fat_length,
    "xls_panic": xls_panic,
    "entry_points": entry_points,
    "huge_numbers": huge_numbers,
    "gbk_name": gbk_name,
    "escape_sequences": escape_sequences,
    "long_text_rows": long_text_rows,
    "odd_entries": odd_entries,
    "lookalike_output": lookalike_output,
    "many_sheets": many_sheets,
}


def make_case(name: str, folder: Path) -> Path:
    bad.make_good(folder)
    CASES[name](folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成“恶意或异常的输入”样例（每种情况一个文件夹）")
    parser.add_argument("--out", type=Path, required=True, help="输出文件夹")
    args = parser.parse_args(argv)
    for name in CASES:
        target = args.out / name
        if target.exists():
            shutil.rmtree(target)
        make_case(name, target)
    print(f"已生成 {len(CASES)} 种情况到 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
