"""Property test: a Word annex damaged at random — bytes flipped, the file cut short, the main
document's XML cut or spliced, merge attributes given odd values — is refused or read, never an
exception (``open_file`` and the reader after it). 200 examples in a few seconds."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowscore.inputs.open import open_file
from flowscore.inputs.reader import WorkbookReader
from flowscore.inputs.records import Inputs
from flowscore.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_docx as bad  # noqa: E402

GOOD = bad.docx_bytes()
SCHEME = load_rubric("haishu-2019")[0]
READER = WorkbookReader(SCHEME)
with zipfile.ZipFile(io.BytesIO(GOOD)) as _zf:
    DOCUMENT = _zf.read("word/document.xml")


def _with_document(xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD)) as zi, zipfile.ZipFile(out, "w") as zo:
        for info in zi.infolist():
            data = xml if info.filename == "word/document.xml" else zi.read(info.filename)
            zo.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


ODD_VALUES = [b"0", b"-3", b"999999999", b"x", b"", b"1.5", b"restart", b"continue"]


@st.composite
def damaged(draw) -> bytes:
    how = draw(st.sampled_from(["flip", "cut", "xml-cut", "xml-splice", "attrs"]))
    if how == "flip":
        data = bytearray(GOOD)
        for _ in range(draw(st.integers(1, 40))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "cut":
        return GOOD[: draw(st.integers(0, len(GOOD) - 1))]
    if how == "xml-cut":
        return _with_document(DOCUMENT[: draw(st.integers(0, len(DOCUMENT)))])
    if how == "xml-splice":
        a = draw(st.integers(0, len(DOCUMENT)))
        b = draw(st.integers(a, min(len(DOCUMENT), a + 400)))
        piece = draw(st.sampled_from([b"", b"<w:tc>", b"</w:tr>", b"<w:tbl><w:tr>", b"&#0;"]))
        return _with_document(DOCUMENT[:a] + piece + DOCUMENT[b:])
    xml = DOCUMENT
    for tag in (b'w:gridSpan w:val="', b"<w:tblHeader", b"<w:tcW "):
        if tag in xml:
            value = draw(st.sampled_from(ODD_VALUES))
            xml = xml.replace(tag, tag + value, 1)
    xml = xml.replace(
        b"<w:tcPr>",
        b'<w:tcPr><w:vMerge w:val="continue"/><w:gridSpan w:val="'
        + draw(st.sampled_from(ODD_VALUES))
        + b'"/>',
        3,
    )
    return _with_document(xml)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=damaged())
def test_damaged_docx_never_raises(tmp_path, data):
    path = tmp_path / "附件1-西门街道.docx"
    path.write_bytes(data)
    wb, findings = open_file(path, display=path.name)
    assert wb is not None or findings
    for f in findings:
        assert f.message and f.hint
    if wb is not None:
        READER.read_workbook(wb, path.name, Inputs())


@pytest.mark.parametrize("span", ["0", "-1", "64", "100000"])
def test_hostile_span_stays_bounded(tmp_path, span):
    xml = DOCUMENT.replace(b"<w:tcPr>", f'<w:tcPr><w:gridSpan w:val="{span}"/>'.encode(), 1)
    path = tmp_path / "x.docx"
    path.write_bytes(_with_document(xml))
    wb, _ = open_file(path, display="x.docx")
    assert wb is not None
    assert max(len(r) for r in wb.sheets[0].rows) <= 6 + 64
