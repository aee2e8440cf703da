"""Print-ready outputs in real clients: LibreOffice turns the circular, a feedback sheet and the
summary workbook of each sample year into PDFs (one soffice call for all nine), and poppler
reads them back: A4 pages, fonts embedded (Chinese ones by a CJK face), the page counts, every
unit's name in the text, one chart per page. The workbook's print settings and the circular's
numbers are checked without LibreOffice as well. The LibreOffice tests are skipped, with the
reason, only where soffice or poppler is missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from flowscore.numbers import fmt
from flowscore.results import BatchResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers import pdf, summary_xlsx
from flowscore.writers.feedback_docx import write_feedback
from flowscore.writers.notice_docx import write_notice

ROOT = Path(__file__).resolve().parent.parent
STYLE = DocumentStyle()
DAY = dt.date(2020, 1, 15)
# sample → (assessment year for the title, a provisional unit whose feedback sheet is printed)
SAMPLES = {
    "haishu-2019": (2019, "白云街道"),
    "beilun": (None, "大榭街道"),
    "province-2013": (2013, "青岛市"),
}
A4 = re.compile(r"Page\s+\d+ size:\s+(595\.\d+ x 841\.\d+|841\.\d+ x 595\.\d+) pts \(A4\)")
CJK_FONT = re.compile(
    r"CJK|Han|Song|Fang|Kai|Hei|Ming|WenQuanYi|SimSun|FangSong|宋|仿宋|楷|黑", re.I
)


@pytest.fixture(scope="module")
def results(scored_sample) -> dict[str, BatchResult]:
    return {name: scored_sample(name) for name in SAMPLES}


def _reason_missing() -> str | None:
    if not pdf.libreoffice_available():
        return "未安装 LibreOffice（soffice）"
    for tool in ("pdfinfo", "pdffonts", "pdftotext"):
        if shutil.which(tool) is None:
            return f"未安装 poppler-utils（{tool}）"
    return None


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.fixture(scope="module")
def printed(results, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Per sample: the circular, the feedback sheet and the workbook, and their PDFs."""
    reason = _reason_missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("printed")
    made: dict[str, dict[str, Path]] = {}
    for name, (year, unit) in SAMPLES.items():
        folder = root / name
        folder.mkdir()
        r = results[name]
        files = {
            "notice": folder / "考核结果通报（草稿）.docx",
            "feedback": folder / f"{unit}.docx",
            "summary": folder / "考核汇总.xlsx",
        }
        write_notice(r, files["notice"], style=STYLE, date=None, year=year)
        write_feedback(r, r.unit(unit), files["feedback"], style=STYLE, date=None)
        summary_xlsx.write_summary(r, files["summary"])
        made[name] = files
    before = {p: p.read_bytes() for files in made.values() for p in files.values()}
    started = time.monotonic()
    outcome = pdf.pdfs_beside(list(before))  # all nine files: one LibreOffice start-up
    elapsed = time.monotonic() - started
    assert outcome.ok, outcome.problem
    assert elapsed < pdf.timeout_for(len(before))
    for path, data in before.items():
        assert path.read_bytes() == data  # the inputs are never modified
    leftovers = [p.name for p in root.rglob("*") if p.name.startswith((".~lock", "."))]
    assert leftovers == []  # no lock or temporary files beside the inputs
    assert set(outcome.written) == {p.with_suffix(".pdf") for p in before}
    return {
        name: {**files, **{f"{k}.pdf": v.with_suffix(".pdf") for k, v in files.items()}}
        for name, files in made.items()
    }


# ---------------------------------------------------------------------------------------------
# with LibreOffice


def test_every_page_is_a4(printed):
    for name, files in printed.items():
        for kind in ("notice", "feedback", "summary"):
            path = files[f"{kind}.pdf"]
            pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))
            sizes = _run("pdfinfo", "-f", "1", "-l", str(pages), str(path))
            found = A4.findall(sizes)
            assert len(found) == pages, (name, kind, sizes)
            if kind != "summary":  # the Word outputs are portrait throughout
                assert all(s.startswith("595") for s in found), (name, kind)


def _fonts(path: Path) -> list[tuple[str, bool]]:
    lines = _run("pdffonts", str(path)).splitlines()[2:]
    out = []
    for line in lines:
        # name type encoding emb sub uni object-id gen; the name has no spaces
        cols = line.split()
        emb = cols[-5]
        out.append((cols[0], emb == "yes"))
    return out


def test_fonts_are_embedded_or_cjk(printed):
    """Every font is embedded; Chinese text came out in a CJK face (here, without the Windows
    fonts, LibreOffice substitutes Noto Serif/Sans CJK through pdf.py's fontconfig aliases)."""
    for name, files in printed.items():
        for kind in ("notice", "feedback"):
            fonts = _fonts(files[f"{kind}.pdf"])
            assert fonts, (name, kind)
            for font, embedded in fonts:
                assert embedded or CJK_FONT.search(font), (name, kind, font)
            assert any(CJK_FONT.search(font) for font, _ in fonts), (name, kind, fonts)


def test_page_counts(printed):
    """The pages LibreOffice 7.4 lays out, with fonts substituted as on this machine (Word on a
    PC with 仿宋_GB2312 may differ by a page). The circular is its body — one ranking table per
    category, the provisional units, the items most points were lost on, the closing — then
    the annex from a new page, two to three units' item tables a page:

    - haishu-2019: body 4 pages (4 categories, 26 units), annex 11 (26 units of 6–8 items);
    - beilun: body 2 pages (1 category, 11 units), annex 10 (11 units of 18 items, one and a
      bit a page);
    - province-2013: body 3 pages (1 category, 17 cities, and two provisional cities and five
      lost-point lines with long item names), annex 20 (17 cities of 26 items).

    A feedback sheet is 2 pages for a Haishu street (6 items), 5 for Beilun's and the
    province's (18 and 26 items, each with its explanation). The workbook: 排名, one page per
    category chart (4 / 1 / 1), then 明细, 指标, 加减分 and 问题清单 one page wide."""
    pages = {
        (name, kind): int(
            re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(files[f"{kind}.pdf"]))).group(1)
        )
        for name, files in printed.items()
        for kind in ("notice", "feedback", "summary")
    }
    assert pages == {
        ("haishu-2019", "notice"): 15,
        ("haishu-2019", "feedback"): 2,
        ("haishu-2019", "summary"): 11,
        ("beilun", "notice"): 12,
        ("beilun", "feedback"): 5,
        ("beilun", "summary"): 9,
        ("province-2013", "notice"): 23,
        ("province-2013", "feedback"): 5,
        ("province-2013", "summary"): 14,
    }


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)  # pdftotext puts spaces between CJK and digits


def test_pdf_text_has_every_unit_and_the_page_numbers(printed, results):
    for name, files in printed.items():
        text = _squeezed(_run("pdftotext", str(files["notice.pdf"]), "-"))
        for u in results[name].units:
            assert u.unit in text, (name, u.unit)
        assert "—1—" in text and "—2—" in text  # the PAGE field, renumbered per page
        assert "考核单位（盖章）" in text and "____年__月__日" in text


def test_each_chart_prints_on_a_page_of_its_own(printed, results):
    for name, files in printed.items():
        charts = len(summary_xlsx._chart_sheet(summary_xlsx.ordered_units(results[name])).charts)
        pages = int(
            re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(files["summary.pdf"]))).group(1)
        )
        chart_pages = []
        for page in range(1, pages + 1):
            head = _run(
                "pdftotext", "-f", str(page), "-l", str(page), str(files["summary.pdf"]), "-"
            )
            if head.lstrip().startswith("图表"):  # the page header is the sheet's name
                chart_pages.append(_squeezed(head))
        assert len(chart_pages) == charts, name
        for text in chart_pages:
            assert text.count("评价得分") >= 2  # the chart's title and its axis


def test_conversion_failure_is_a_chinese_value(printed, tmp_path, monkeypatch):
    # a temporary folder of this test's own: other tests convert at the same time
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    doc = printed["beilun"]["feedback"]
    outcome = pdf.convert_to_pdf([(doc, tmp_path / "x.pdf")], timeout=0.5)
    assert not outcome.ok and outcome.written == ()
    assert "超过" in outcome.problem and "LibreOffice" in outcome.problem
    assert not (tmp_path / "x.pdf").exists()
    assert not list(Path(tempfile.gettempdir()).glob("flowscore-pdf-*"))  # profile removed


# ---------------------------------------------------------------------------------------------
# without LibreOffice


def test_circular_tables_read_back_equal_results(results, tmp_path):
    """python-docx reads every unit's 评价得分 and 折算得分 back from the ranking tables."""
    for name, (year, _unit) in SAMPLES.items():
        r = results[name]
        path = tmp_path / f"{name}.docx"
        write_notice(r, path, style=STYLE, date=None, year=year)
        tables = Document(path).tables[: len(r.tiers)]
        rows = {row.cells[1].text: row for t in tables for row in t.rows[1:]}
        assert set(rows) == {u.unit for u in r.units}, name
        for u in r.units:
            cells = [c.text for c in rows[u.unit].cells]
            assert cells[2] == fmt(u.total) and cells[4] == fmt(u.contribution, 4), (name, u.unit)
            assert cells[0] == ("—" if u.rank is None else str(u.rank))


def test_no_libreoffice_is_a_plain_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    src = tmp_path / "a.docx"
    src.write_bytes(b"x")
    outcome = pdf.pdfs_beside([src])
    assert outcome.problem == "未安装 LibreOffice，没有生成 PDF" and outcome.written == ()
    assert pdf.libreoffice_available() is False
    assert pdf.convert_to_pdf([]).ok


def test_missing_input_is_a_plain_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/nonexistent/soffice")
    outcome = pdf.pdfs_beside([tmp_path / "nope.docx"])
    assert (
        outcome.problem
        == "nope.docx共 1 个文件未能转换为 PDF：无法读取要转换的文件（文件或文件夹不存在）"
    )


def test_fontconfig_maps_the_chinese_names():
    text = pdf.fontconfig_text(STYLE)
    for name in ("仿宋_GB2312", "方正小标宋简体", "楷体_GB2312", "宋体"):
        assert re.search(rf"<family>{name}</family><prefer><family>Noto Serif CJK SC", text)
    assert re.search(r"<family>黑体</family><prefer><family>Noto Sans CJK SC", text)


def _big(result: BatchResult, n: int) -> BatchResult:
    """``n`` units made from the sample's, ranked within their tiers."""
    units = []
    for k in range(n // len(result.units) + 1):
        units += [dataclasses.replace(u, unit=f"{u.unit}{k:03d}") for u in result.units]
    units = units[:n]
    order = {t[0]: i for i, t in enumerate(result.tiers)}
    units.sort(key=lambda u: (order[u.tier], -(u.total or 0), u.unit))
    ranks: dict[str, int] = {}
    ranked = []
    for u in units:
        ranks[u.tier] = ranks.get(u.tier, 0) + 1
        ranked.append(dataclasses.replace(u, rank=ranks[u.tier]))
    return dataclasses.replace(result, units=tuple(ranked), indicators=(), entries=())


def test_workbook_print_settings(results, tmp_path):
    path = tmp_path / "考核汇总.xlsx"
    summary_xlsx.write_summary(results["beilun"], path, date=DAY)
    wb = openpyxl.load_workbook(path)
    rank = wb["排名"]
    assert rank["A1"].value == "北仑区街道流动人口服务管理考核 各类别排名"
    assert rank["A2"].value == "制表日期：2020年1月15日"
    assert rank.print_title_rows == "$3:$3" and rank.freeze_panes == "A4"
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        if ws.title == "图表":
            assert ws.page_setup.orientation == "landscape"
            assert (
                not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
            )
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        if ws.title != "排名":
            assert ws.print_title_rows == "$1:$1", ws.title
    # 北仑's ranking has three category columns: too wide for portrait; 明细 always is.
    assert rank.page_setup.orientation == "landscape"
    assert wb["明细"].page_setup.orientation == "landscape"
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>" in sheet


def test_chart_sheet_lays_out_one_chart_per_page(results, tmp_path):
    big = _big(results["haishu-2019"], 700)
    sheet = summary_xlsx._chart_sheet(summary_xlsx.ordered_units(big))
    per_tier: dict[str, int] = {}
    for u in big.units:
        per_tier[u.tier] = per_tier.get(u.tier, 0) + 1
    expected = sum(
        -(-min(n, summary_xlsx.CHART_MAX_BARS) // summary_xlsx.BARS_PER_CHART)
        for n in per_tier.values()
    )
    assert len(sheet.charts) == expected
    assert list(sheet.row_breaks) == [summary_xlsx.PAGE_ROWS * (i + 1) for i in range(expected - 1)]
    row_cm = 15 / 72 * 2.54  # the default row height, 15 pt
    for i, chart in enumerate(sheet.charts):
        col, row = chart.anchor
        assert col == 2  # right of the two hidden data columns
        assert row == i * summary_xlsx.PAGE_ROWS + 1  # inside its own page block
        assert (
            row - i * summary_xlsx.PAGE_ROWS
        ) * row_cm + chart.height_cm < summary_xlsx.PAGE_ROWS * row_cm
    assert sheet.page.orientation == "landscape" and not sheet.page.fit_width
    assert "（第1–20名）" in sheet.charts[0].title
    # Charts plot their own hidden columns; a provisional unit's label says so.
    assert all(c.hidden for c in sheet.columns)
    labels = [r[0] for r in sheet.rows if r[0]]
    assert any(label.endswith("（暂定）") for label in labels)
    assert not any(label.endswith("（暂定）") for label in (u.unit for u in big.units))


def test_old_call_and_reruns(results, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    summary_xlsx.write_summary(results["haishu-2019"], a)  # the call write_outputs makes today
    summary_xlsx.write_summary(results["haishu-2019"], b)
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(a)["排名"]["A2"].value == "制表日期：____年__月__日"
    summary_xlsx.write_summary(results["haishu-2019"], a, date=DAY)
    summary_xlsx.write_summary(results["haishu-2019"], b, date=DAY)
    assert a.read_bytes() == b.read_bytes()
