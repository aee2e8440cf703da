"""The Word documents written as text (``writers/docx_text.py``) against the way python-docx
built them (``docx_reference.py``, the old writers kept as they were): every part of every
document the same bytes, on the three samples, the 2019 sample compared with the 2018 results
(``--compare``), one with a unit whose sheet cannot be read (rejected) and the hand-made batch (a
missing unit, a pending item, names with formula text and path tricks, control characters); the
same zip
entries with fixed times; and fast (≤ 1 ms a unit's sheet is the target on the benchmark
machine, checked here with room for a loaded test machine)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from batches import make_batch
from docx import Document
from docx_reference import build_feedback_reference, build_notice_reference

from flowscore.compute import compute_folder
from flowscore.results import BatchResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers import docx_text, feedback_docx, notice_docx
from flowscore.writers.docx_common import docx_bytes

DAY = dt.date(2020, 1, 15)
ODD = DocumentStyle(
    body_fonts=("仿宋",),
    body_size_pt=15.5,
    margin_top_mm=30,
    title_template="{scheme}情况通报",
    footer_template="第{page}页",
    seal_text="区流动人口服务管理领导小组办公室 & <办>",
)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {i.filename: z.read(i) for i in z.infolist()}


def _entries(data: bytes) -> list[tuple[object, ...]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [
            (i.filename, i.date_time, i.compress_type, i.external_attr, i.create_system, i.CRC)
            for i in z.infolist()
        ]


def _same(new: bytes, old: bytes) -> None:
    assert _entries(new) == _entries(old)
    new_parts, old_parts = _parts(new), _parts(old)
    for name, data in old_parts.items():
        assert new_parts[name] == data, name


def _dirty(batch: BatchResult) -> BatchResult:
    """Control characters and a bidi override in a unit name and an explanation."""
    name = "月湖\x07街道\u202e"
    units = []
    for u in batch.units:
        if u.unit == "月湖街道":
            items = tuple(
                dataclasses.replace(it, explanation=" 前有空格\n\n后有空格 ", remark="a\tb&<c>")
                for it in u.items
            )
            u = dataclasses.replace(u, unit=name, items=items)
        units.append(u)
    return dataclasses.replace(batch, units=tuple(units))


SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
BATCHES = ["haishu-2019", "beilun", "province-2013", "made", "dirty", "compared", "rejected"]


def _rejected(tmp: Path) -> BatchResult:
    folder = tmp / "in"
    shutil.copytree(SAMPLES / "haishu-2019", folder)
    (folder / "附件1-龙观乡.xlsx").write_bytes(b"PK\x03\x04 not a workbook at all")
    result = compute_folder(folder)
    assert result.unit("龙观乡").status == "rejected"
    return result


@pytest.fixture(scope="module", params=BATCHES)
def batch(request, scored_sample, tmp_path_factory) -> BatchResult:
    if request.param == "made":
        return make_batch()
    if request.param == "dirty":
        return _dirty(make_batch())
    if request.param == "compared":
        result = compute_folder(
            SAMPLES / "haishu-2019", compare_with=SAMPLES / "haishu-2018-results"
        )
        assert result.comparison is not None and not result.comparison.same_rubric
        return result
    if request.param == "rejected":
        return _rejected(tmp_path_factory.mktemp("rejected"))
    return scored_sample(request.param)


@pytest.mark.parametrize("style", [DocumentStyle(), ODD], ids=["default", "changed"])
def test_feedback_parts_match_python_docx(batch, style):
    ctx = feedback_docx._Context(batch)
    for date in (DAY, None):
        for u in batch.units:
            new = feedback_docx.feedback_bytes(batch, u, style=style, date=date)
            old = docx_bytes(build_feedback_reference(ctx, u, style=style, date=date))
            _same(new, old)


@pytest.mark.parametrize("style", [DocumentStyle(), ODD], ids=["default", "changed"])
def test_notice_parts_match_python_docx(batch, style):
    for date, year in ((DAY, 2019), (None, None)):
        new = notice_docx.notice_bytes(batch, style=style, date=date, year=year)
        old = docx_bytes(build_notice_reference(batch, style=style, date=date, year=year))
        _same(new, old)


def test_zip_writer_is_what_zipfile_writes():
    """The hand-made zip has zipfile's own headers: the same bytes as zipfile given the same
    parts at the same level."""
    batch = make_batch()
    data = feedback_docx.feedback_bytes(batch, batch.units[0], style=DocumentStyle(), date=DAY)
    again = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(again, "w") as dst:
        for info in src.infolist():
            level = docx_text.LEVEL
            if info.filename not in ("word/document.xml", "docProps/core.xml"):
                level = docx_text.STORED_LEVEL
            dst.writestr(info, src.read(info), zipfile.ZIP_DEFLATED, level)
    assert again.getvalue() == data


def test_large_body_streams_in_pieces():
    """A body larger than one deflate batch (256 K characters) comes out whole."""
    body = docx_text.Body()
    for i in range(6000):
        body.paragraph(f"第{i}段：" + "流动人口" * 20, "公文正文")
    data = docx_text.package(DocumentStyle(), title="长文档", body=iter(body.parts))
    doc = Document(io.BytesIO(data))
    assert len(doc.paragraphs) == 6000
    assert doc.paragraphs[-1].text.startswith("第5999段：")
    assert doc.core_properties.title == "长文档"


def test_read_back_with_python_docx(tmp_path):
    batch = make_batch()
    doc = feedback_docx.build_feedback(
        batch, batch.unit("月湖街道"), style=DocumentStyle(), date=DAY
    )
    assert doc.paragraphs[0].text == "考核反馈单"
    assert doc.core_properties.title == "考核反馈单：月湖街道"
    notice = notice_docx.build_notice(batch, style=DocumentStyle(), date=DAY, year=2019)
    assert notice.paragraphs[-1].text.startswith("项目小计")


def test_feedback_is_fast(scored_sample, tmp_path):
    """The province sample's sheets, best of three: the target is ≤ 1 ms a unit on the benchmark
    machine; 5 ms here leaves room for a busy test run (python-docx took ~9 ms)."""
    batch = scored_sample("haishu-2019")
    units = [u.unit for u in batch.units]
    feedback_docx.write_units(batch, tmp_path, units[:1])  # the template, made once
    best = float("inf")
    for n in range(3):
        folder = tmp_path / str(n)
        folder.mkdir()
        started = time.process_time()
        feedback_docx.write_units(batch, folder, units)
        best = min(best, (time.process_time() - started) / len(units))
    assert best < 0.005, f"{best * 1000:.2f} ms a unit"
