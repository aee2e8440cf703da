"""Bad Word files never crash flowscore and never cost the rest of the batch.

Every case of ``scripts/make_bad_docx.py`` is a folder holding the good part of a batch (月湖街道,
which scores exactly 93.25, and the indicator workbook) and the bad Word file(s). Each test
asserts the finding — code, level, file, table and position where there is one, the Chinese
message and a hint — and that 月湖街道 is still scored beside it. The .doc cases run without
LibreOffice (PATH emptied) or with a stand-in soffice that hangs or fails.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal as D
from pathlib import Path

import pytest

from flowscore.compute import compute_folder
from flowscore.inputs.open import convert as doc_convert
from flowscore.inputs.safety import Limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_docx as bad  # noqa: E402
from make_bad_inputs import GOOD_FILE, GOOD_TOTAL, GOOD_UNIT  # noqa: E402

RUBRIC = "haishu-2019"


def run_case(tmp_path: Path, name: str, **kw):
    if name == "docx_encrypted":
        pytest.importorskip("msoffcrypto", reason="msoffcrypto（开发依赖）未安装，无法生成该样例")
    folder = bad.make_case(name, tmp_path / name)
    return compute_folder(folder, rubric=RUBRIC, **kw)


def only(result, code: str):
    found = [f for f in result.report if f.code == code]
    assert len(found) == 1, [(f.code, f.file, f.message) for f in result.report]
    return found[0]


def check(f, *, level: str, file: str, sheet: str = "", cell: str = "", says: tuple[str, ...]):
    assert (f.level.value, f.file, f.sheet, f.cell) == (level, file, sheet, cell), f
    for words in says:
        assert words in f.message, f.message
    assert f.hint, "every finding says what to do"


def assert_good_unit_scored(result) -> None:
    u = result.unit(GOOD_UNIT)
    assert u.total == D(GOOD_TOTAL) and u.status == "final", (u.total, u.status)
    assert not [f for f in result.report if f.file == GOOD_FILE and f.level.value == "error"]


def test_bad_score_named_by_table_row_and_column(tmp_path):
    r = run_case(tmp_path, "docx_bad_score")
    f = only(r, "bad-score")
    check(f, level="error", file=bad.BAD_DOCX, sheet="表1", cell="第3行 › 自评分", says=("“35分”",))
    assert f.where == "附件1-西门街道.docx › 表1 › 第3行 › 自评分"
    assert "不要带“分”" in f.hint
    assert_good_unit_scored(r)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("docx_zip_bomb", ("word/document.xml", "压缩比异常", "未解压即拒绝")),
        ("docx_zip_bomb_lying", ("word/document.xml", "超过声明的大小", "已停止解压")),
        ("docx_dtd", ("word/document.xml", "DTD/实体声明")),
        ("docx_xxe_custom_props", ("docProps/custom.xml", "DTD/实体声明")),
        ("docx_dtd_odd_part", ("word/settings.bin", "DTD/实体声明")),
    ],
)
def test_hostile_docx_refused_before_parsing(tmp_path, case, words):
    r = run_case(tmp_path, case)
    f = only(r, "file-unsafe")
    check(f, level="error", file=bad.BAD_DOCX, says=words)
    assert "Word" in f.hint and ".xlsx" not in f.hint
    assert_good_unit_scored(r)


def test_zip_bomb_bounded_in_memory_and_time(tmp_path):
    import resource

    folder = bad.make_case("docx_zip_bomb_lying", tmp_path / "bomb")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    compute_folder(folder, rubric=RUBRIC, jobs=1)
    assert time.perf_counter() - started < 20
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100  # inflated in 1 MB pieces and counted, never held


@pytest.mark.parametrize(
    ("case", "file", "words"),
    [
        ("docx_no_table", "西门街道2019年度工作总结.docx", ("没有评分表", "没有表格")),
        ("docx_other_table", "西门街道流动人口统计.docx", ("表格没有评分表的表头",)),
    ],
)
def test_word_file_without_score_table_is_a_note(tmp_path, case, file, words):
    """A unit's annual report in the folder is no problem: an info note, exit code unaffected."""
    r = run_case(tmp_path, case)
    check(only(r, "no-score-table"), level="info", file=file, says=words)
    assert not [f for f in r.report if f.file == file and f.level.value != "info"]
    assert_good_unit_scored(r)


def test_mistyped_score_table_header_is_a_warning(tmp_path):
    r = run_case(tmp_path, "docx_unrecognised_annex")
    check(only(r, "unrecognised-file"), level="warning", file=bad.BAD_DOCX, says=("没有识别出",))
    assert_good_unit_scored(r)


@pytest.mark.parametrize(
    ("case", "code", "words"),
    [
        ("docx_corrupt", "file-unreadable", ("压缩结构不完整",)),
        ("docx_garbage_document", "file-unreadable", ("无法作为 Word 文档读取",)),
        ("docx_encrypted", "file-encrypted", ("打开密码",)),
        ("docx_is_pdf", "file-not-word", ("扩展名是 .docx", "PDF 文档")),
        ("docx_empty_document", "empty-workbook", ("没有任何文字和表格",)),
    ],
)
def test_damaged_or_wrong_docx_is_an_error_naming_the_file(tmp_path, case, code, words):
    r = run_case(tmp_path, case)
    f = only(r, code)
    check(f, level="error", file=bad.BAD_DOCX, says=words)
    assert_good_unit_scored(r)


def test_docx_named_doc_read_by_content(tmp_path):
    r = run_case(tmp_path, "docx_named_doc")
    check(only(r, "format-mismatch"), level="info", file=bad.BAD_DOC, says=("内容实际是 .docx",))
    assert r.unit(bad.OTHER).status == "final"
    # 0 (3 unreported) + 35 + 29 (10 + rank 2) + 12 + 4 + 5, as in the template-made .docx
    assert r.unit(bad.OTHER).total == D("85.00")
    assert_good_unit_scored(r)


def test_table_over_row_limit_refused(tmp_path):
    r = run_case(tmp_path, "docx_many_rows", limits=Limits(max_rows=1000))
    f = only(r, "sheet-too-large")
    check(f, level="error", file="流动人口名册.docx", says=("2,000 行", "1,000 行"))
    assert_good_unit_scored(r)


# -- .doc / .wps without a working LibreOffice ---------------------------------------------------


@pytest.mark.parametrize(
    ("case", "file"), [("doc_binary", bad.BAD_DOC), ("wps_binary", "附件1-西门街道.wps")]
)
def test_doc_without_libreoffice_says_how_to_resave(tmp_path, monkeypatch, case, file):
    empty = tmp_path / "no-office"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    r = run_case(tmp_path, case)
    f = only(r, "doc-no-converter")
    check(f, level="warning", file=file, says=("没有安装 LibreOffice", "未读取"))
    assert "另存为 › Word 文档 (*.docx)" in f.hint
    assert ("WPS 文字文档" if file.endswith(".wps") else "Word 97-2003") in f.message
    assert r.unit(bad.OTHER).status == "rejected"  # its sheet came but could not be read
    assert_good_unit_scored(r)


def test_doc_conversion_timeout_kills_soffice(tmp_path, monkeypatch):
    fake = bad.fake_soffice(tmp_path / "office", "sleep")
    monkeypatch.setenv("PATH", str(fake.parent))
    started = time.perf_counter()
    r = run_case(tmp_path, "doc_binary", limits=Limits(convert_timeout=1))
    assert time.perf_counter() - started < 15
    f = only(r, "doc-conversion-failed")
    check(f, level="warning", file=bad.BAD_DOC, says=("超过 1 秒仍未完成", "已停止"))
    assert "另存为 › Word 文档 (*.docx)" in f.hint
    pid = int((fake.parent / "soffice.pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the hung soffice was killed, not left behind
    assert_good_unit_scored(r)


def test_doc_conversion_failure_and_batch_retry(tmp_path, monkeypatch):
    """A failing soffice: every file of the batch is tried again alone, then reported."""
    fake = bad.fake_soffice(tmp_path / "office", "fail")
    monkeypatch.setenv("PATH", str(fake.parent))
    runs = []
    original = doc_convert.Converter._run

    def counted(self, files, outbox, timeout):
        runs.append(len(files))
        return original(self, files, outbox, timeout)

    monkeypatch.setattr(doc_convert.Converter, "_run", counted)
    folder = bad.make_case("doc_binary", tmp_path / "two")
    bad.wps_binary(folder)
    r = compute_folder(folder, rubric=RUBRIC)
    assert runs == [2, 1, 1]  # one run for the batch, then each file alone
    failed = sorted(f.file for f in r.report if f.code == "doc-conversion-failed")
    assert failed == [bad.BAD_DOC, "附件1-西门街道.wps"]
    assert all("文件可能已损坏" in f.message for f in r.report if f.code == "doc-conversion-failed")
    assert_good_unit_scored(r)


def test_inputs_untouched_and_temporary_folder_removed(tmp_path, monkeypatch):
    import hashlib
    import tempfile

    fake = bad.fake_soffice(tmp_path / "office", "sleep")
    monkeypatch.setenv("PATH", str(fake.parent))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    folder = bad.make_case("doc_binary", tmp_path / "case")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    compute_folder(folder, rubric=RUBRIC, limits=Limits(convert_timeout=1))
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before
    assert list(scratch.iterdir()) == []
