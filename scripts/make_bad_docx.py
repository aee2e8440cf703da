"""The bad-input corpus for Word annexes: every way a Word file in the submissions folder can go
wrong, each made by a function (as ``make_bad_inputs.py`` does for spreadsheets), so tests
build what they need in a temporary folder and nothing is edited by hand.

    .venv/bin/python scripts/make_bad_docx.py                  # small cases: tests/fixtures/bad-docx
    .venv/bin/python scripts/make_bad_docx.py --all --out DIR  # the zip bombs too

Each case is a folder: the good part of a batch (``make_bad_inputs.make_good``: 月湖街道's sheet,
which scores exactly 93.25, and the indicator workbook) plus the bad Word file(s) of the case.
Two cases need LibreOffice's absence or misbehaviour, which a folder cannot hold: ``fake_soffice``
writes a stand-in ``soffice`` (that sleeps, or fails) for a test to put first on PATH.

A .doc is needed without LibreOffice (to test its absence): ``minimal_doc`` writes the OLE
compound file a Word 97-2003 document is, with a ``WordDocument`` stream; ``real_doc`` asks
LibreOffice for a true one (tests that need it skip when it is not installed).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad_inputs  # noqa: E402
from builders_docx import fill_docx_template, report_docx  # noqa: E402
from make_bad_inputs import (  # noqa: E402
    LOL_DTD,
    OTHER,
    XXE_DTD,
    deflated_zeros,
    rewrite_zip,
    with_dtd,
)

from flowscore.inputs.open.convert import Converter  # noqa: E402
from flowscore.rubric import load_rubric  # noqa: E402
from flowscore.template_docx import build_annex_docx  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "bad-docx"
BAD_DOCX = "附件1-西门街道.docx"
BAD_DOC = "附件1-西门街道.doc"
# 西门街道's scores: every 自评分, the assessor's 核定分 of items 4–6.
SCORES = {
    "1": ("5", None),
    "2": ("40", None),
    "3": ("30", None),
    "4": ("15", "12"),
    "5": ("5", "4"),
    "6": ("5", "5"),
}


def docx_bytes(scores: Mapping[str, tuple[object, object]] | None = None) -> bytes:
    """西门街道's Word template (``template --format docx``), filled in with python-docx."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.docx"
        build_annex_docx(load_rubric()[0], OTHER).save(str(path))
        fill_docx_template(path, scores or SCORES)
        return path.read_bytes()


# ----------------------------------------------------------------------------------------------
# Binary Word (.doc)


def minimal_doc(text: bytes = b"") -> bytes:
    """An OLE compound file holding one 4 KB ``WordDocument`` stream whose FIB says Word 97
    (not encrypted): what flowscore's checks see in a .doc. (LibreOffice cannot make a
    document of it: enough for the cases that never reach a conversion.)"""
    stream = bytearray(4096)
    struct.pack_into("<HH", stream, 0, 0xA5EC, 0x00C1)  # wIdent, nFib (Word 97)
    stream[32 : 32 + len(text)] = text[:4000]
    sectors = len(stream) // 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [fat_sect, end] + [3 + i for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))

    def entry(name: str, kind: int, start: int, size: int, child: int = free) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        e = bytearray(128)
        e[: len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, free, free, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, end, 0, child=1) + entry("WordDocument", 2, 2, 4096)
    directory += bytes(128) * 2
    return bytes(header) + struct.pack("<128I", *fat) + directory + bytes(stream)


def real_doc(docx_path: Path, out: Path) -> Path:
    """``docx_path`` saved as Word 97-2003 by LibreOffice (needs soffice on PATH)."""
    return libreoffice_save(docx_path, out, "doc:MS Word 97")


def libreoffice_save(src: Path, out: Path, target: str = "docx:MS Word 2007 XML") -> Path:
    """``src`` opened and saved by LibreOffice Writer as ``target`` (``--convert-to``), written
    to ``out``: a copy under an ASCII name in a temporary folder, a private profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("需要 LibreOffice（soffice）才能生成这个样例")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        copy = work / "in" / ("input" + src.suffix.lower())
        shutil.copyfile(src, copy)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(work),
                str(copy),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            start_new_session=True,
        )
        shutil.copyfile(work / ("input." + target.split(":")[0]), out)
        Converter._remove_pipe(work / "profile")  # a first start on a new profile may leave it
    return out


def fake_soffice(folder: Path, behaviour: str = "sleep") -> Path:
    """A stand-in ``soffice`` in ``folder`` (put it first on PATH): ``sleep`` never finishes
    (a hung LibreOffice; it writes its process id to ``soffice.pid``), ``fail`` exits 1
    having written nothing (a crash)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "soffice"
    body = {
        "sleep": f'echo $$ > "{folder}/soffice.pid"\nexec sleep 300\n',
        "fail": "echo 'Error: source file could not be loaded' >&2\nexit 1\n",
    }[behaviour]
    # Its own PATH: the test empties PATH to hide the real LibreOffice.
    script.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\n" + body, encoding="utf-8")
    script.chmod(0o755)
    return script


# ----------------------------------------------------------------------------------------------
# The cases: each writes its bad file(s) into ``folder`` (which already has the good part)


def docx_bad_score(folder: Path) -> None:
    """``35分`` typed as 西门街道's 自评分 of item 2 (the table's 3rd row)."""
    (folder / BAD_DOCX).write_bytes(docx_bytes({**SCORES, "2": ("35分", None)}))


def docx_verified_merged(folder: Path) -> None:
    """西门街道's 核定分 of items 4 and 5 merged down into one cell holding 12 (item 4's)."""
    import docx

    path = folder / BAD_DOCX
    path.write_bytes(docx_bytes({**SCORES, "5": ("5", None)}))
    d = docx.Document(str(path))
    table = d.tables[0]
    header = [c.text.strip() for c in table.rows[0].cells]
    col = header.index("核定分")
    first = next(r for r, row in enumerate(table.rows) if row.cells[0].text.strip() == "4")
    table.cell(first, col).merge(table.cell(first + 1, col)).text = "12"
    d.save(str(path))


def docx_verified_percent(folder: Path) -> None:
    """``90%`` typed as 西门街道's 核定分 of item 4."""
    (folder / BAD_DOCX).write_bytes(docx_bytes({**SCORES, "4": ("15", "90%")}))


def docx_row_deleted(folder: Path) -> None:
    """西门街道's Word table without the row of item 5 (公共服务)."""
    import docx

    path = folder / BAD_DOCX
    path.write_bytes(docx_bytes())
    d = docx.Document(str(path))
    row = next(r for r in d.tables[0].rows if r.cells[0].text.strip() == "5")
    row._tr.getparent().remove(row._tr)
    d.save(str(path))


_DOCUMENT = "word/document.xml"


def docx_zip_bomb(folder: Path) -> None:
    """word/document.xml truly inflating to 300 MB (from ~300 KB), declared so: ratio ~1000:1."""
    stream, crc = deflated_zeros(300)
    bad_inputs.bomb(
        folder / BAD_DOCX, stream, crc, 300 * 1024 * 1024, source=docx_bytes(), part=_DOCUMENT
    )


def docx_zip_bomb_lying(folder: Path) -> None:
    """The same 300 MB declared as 5,000 bytes: only bounded inflation finds it."""
    stream, crc = deflated_zeros(300)
    bad_inputs.bomb(folder / BAD_DOCX, stream, crc, 5000, source=docx_bytes(), part=_DOCUMENT)


def docx_dtd(folder: Path) -> None:
    """Billion laughs before word/document.xml's root element."""
    data = rewrite_zip(docx_bytes(), {"word/document.xml": with_dtd(LOL_DTD, "lol9")})
    (folder / BAD_DOCX).write_bytes(data)


def docx_xxe_custom_props(folder: Path) -> None:
    """An external entity in the template's docProps/custom.xml (read for identification)."""
    data = rewrite_zip(docx_bytes(), {"docProps/custom.xml": with_dtd(XXE_DTD, "xxe")})
    (folder / BAD_DOCX).write_bytes(data)


def docx_dtd_odd_part(folder: Path) -> None:
    """A DTD in an XML part with a name that does not say XML (word/settings.bin): python-docx
    goes by content types, so the check goes by content."""
    xml = ('<?xml version="1.0"?>' + XXE_DTD + "<x>&xxe;</x>").encode()
    data = rewrite_zip(docx_bytes(), {"word/settings.bin": xml})
    (folder / BAD_DOCX).write_bytes(data)


def docx_no_table(folder: Path) -> None:
    """西门街道's annual report in Word: text, no table."""
    report_docx(folder / "西门街道2019年度工作总结.docx")


def docx_other_table(folder: Path) -> None:
    """A report with a statistics table that is no score table."""
    report_docx(folder / "西门街道流动人口统计.docx", table=True)


def docx_unrecognised_annex(folder: Path) -> None:
    """A score table whose header was mistyped (自评份, 核对分): not read, and said so."""
    import docx

    d = docx.Document()
    d.add_paragraph("镇（乡）街道(盖章)：西门街道")
    t = d.add_table(rows=3, cols=5)
    for c, label in enumerate(("序号", "考核内容", "分值", "自评份", "核对分")):
        t.cell(0, c).text = label
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "1", "工作报备", "5"
    d.save(str(folder / BAD_DOCX))


def docx_corrupt(folder: Path) -> None:
    data = docx_bytes()
    (folder / BAD_DOCX).write_bytes(data[: len(data) * 2 // 3])


def docx_garbage_document(folder: Path) -> None:
    """A whole zip whose word/document.xml is not XML."""
    data = rewrite_zip(docx_bytes(), {"word/document.xml": b"<w:document>\x00\x01 not xml"})
    (folder / BAD_DOCX).write_bytes(data)


def docx_encrypted(folder: Path) -> None:
    """A .docx with an opening password (Word: 用密码进行加密): an OLE compound file."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx_bytes())).encrypt("123456", out)
    (folder / BAD_DOCX).write_bytes(out.getvalue())


def docx_is_pdf(folder: Path) -> None:
    (folder / BAD_DOCX).write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def docx_empty_document(folder: Path) -> None:
    """What Word's 新建 › 保存 gives: no text, no table."""
    import docx

    docx.Document().save(str(folder / BAD_DOCX))


def docx_named_doc(folder: Path) -> None:
    """A .docx renamed .doc by hand: read by its content, with a note."""
    (folder / BAD_DOC).write_bytes(docx_bytes())


def doc_binary(folder: Path) -> None:
    """A Word 97-2003 file as flowscore's checks see it (see ``minimal_doc``)."""
    (folder / BAD_DOC).write_bytes(minimal_doc("西门街道".encode("utf-16-le")))


def wps_binary(folder: Path) -> None:
    """The same, as WPS Writer names it (.wps)."""
    (folder / "附件1-西门街道.wps").write_bytes(minimal_doc())


def docx_many_rows(folder: Path) -> None:
    """A table of 2,000 rows (a person-level export pasted into Word)."""
    import docx

    d = docx.Document()
    t = d.add_table(rows=2000, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "姓名", "住址"
    d.save(str(folder / "流动人口名册.docx"))


# name → (maker, large): the large ones (hundreds of KB) are made only with --all
CASES: dict[str, tuple[Callable[[Path], None], bool]] = {
    "docx_bad_score": (docx_bad_score, False),
    "docx_verified_merged": (docx_verified_merged, False),
    "docx_verified_percent": (docx_verified_percent, False),
    "docx_row_deleted": (docx_row_deleted, False),
    "docx_zip_bomb": (docx_zip_bomb, True),
    "docx_zip_bomb_lying": (docx_zip_bomb_lying, True),
    "docx_dtd": (docx_dtd, False),
    "docx_xxe_custom_props": (docx_xxe_custom_props, False),
    "docx_dtd_odd_part": (docx_dtd_odd_part, False),
    "docx_no_table": (docx_no_table, False),
    "docx_other_table": (docx_other_table, False),
    "docx_unrecognised_annex": (docx_unrecognised_annex, False),
    "docx_corrupt": (docx_corrupt, False),
    "docx_garbage_document": (docx_garbage_document, False),
    "docx_encrypted": (docx_encrypted, False),
    "docx_is_pdf": (docx_is_pdf, False),
    "docx_empty_document": (docx_empty_document, False),
    "docx_named_doc": (docx_named_doc, False),
    "doc_binary": (doc_binary, False),
    "wps_binary": (wps_binary, False),
    "docx_many_rows": (docx_many_rows, False),
}


def make_case(name: str, folder: Path) -> Path:
    """The folder of one case: the good part, then the case's bad file(s)."""
    return bad_inputs.make_case(name, folder, cases=CASES)


def make_all(out: Path, *, large: bool = False) -> list[str]:
    return bad_inputs.make_all(out, large=large, cases=CASES)


def main(argv: list[str] | None = None) -> int:
    return bad_inputs.main(
        argv, cases=CASES, default_out=DEFAULT_OUT, what="有问题的 Word 评分表", large="压缩炸弹"
    )


if __name__ == "__main__":
    raise SystemExit(main())
