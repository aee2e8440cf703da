"""Word 97-2003 (.doc) and WPS (.wps) annexes converted by a real LibreOffice and scored.

The .doc files are made by LibreOffice itself from Word templates filled in by python-docx
(``make_bad_docx.real_doc``). Skipped, with the reason, where LibreOffice is not installed."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from decimal import Decimal as D
from pathlib import Path

import pytest

from flowscore.compute import compute_folder
from flowscore.inputs.open import convert as doc_convert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_docx as bad  # noqa: E402
from builders_docx import report_docx  # noqa: E402
from make_bad_inputs import GOOD_TOTAL, GOOD_UNIT, make_good  # noqa: E402

pytestmark = pytest.mark.skipif(
    doc_convert.find_soffice() is None, reason="LibreOffice（soffice）未安装"
)


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> dict[str, Path]:
    """True .doc files written by LibreOffice: 西门街道's filled template, the same with
    ``35分`` in a 自评分, and an annual report."""
    out = tmp_path_factory.mktemp("docs")
    made = {}
    for name, data in (
        ("annex", bad.docx_bytes()),
        ("bad_score", bad.docx_bytes({**bad.SCORES, "2": ("35分", None)})),
    ):
        (out / f"{name}.docx").write_bytes(data)
        made[name] = bad.real_doc(out / f"{name}.docx", out / f"{name}.doc")
    report_docx(out / "report.docx")
    made["report"] = bad.real_doc(out / "report.docx", out / "report.doc")
    return made


def test_doc_and_wps_converted_in_one_soffice_run_and_scored(tmp_path, monkeypatch, docs):
    folder = tmp_path / "in"
    make_good(folder)
    shutil.copyfile(docs["annex"], folder / "附件1-西门街道.doc")
    shutil.copyfile(docs["annex"], folder / "附件1-西门街道（WPS）.wps")  # the same, as WPS
    shutil.copyfile(docs["report"], folder / "西门街道2019年度工作总结.doc")
    runs = []
    original = doc_convert.Converter._run

    def counted(self, files, outbox, timeout):
        runs.append(len(files))
        return original(self, files, outbox, timeout)

    monkeypatch.setattr(doc_convert.Converter, "_run", counted)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    r = compute_folder(folder, rubric="haishu-2019")
    assert runs == [3]  # every .doc/.wps of the run in one LibreOffice start
    dup = [f for f in r.report if f.code == "duplicate-unit"]
    assert dup and "附件1-西门街道（WPS）.wps" in dup[0].message  # read like the .doc
    report = [f for f in r.report if f.code == "no-score-table"]
    assert [f.file for f in report] == ["西门街道2019年度工作总结.doc"]
    assert r.unit(GOOD_UNIT).total == D(GOOD_TOTAL)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert after == before  # inputs untouched
    assert list(scratch.iterdir()) == []  # the conversion folder removed


def test_converted_doc_scores_as_docx_and_names_word_positions(tmp_path, docs):
    folder = tmp_path / "in"
    make_good(folder)
    shutil.copyfile(docs["bad_score"], folder / "附件1-西门街道.doc")
    r = compute_folder(folder, rubric="haishu-2019")
    (f,) = [f for f in r.report if f.code == "bad-score"]
    assert f.where == "附件1-西门街道.doc › 表1 › 第3行 › 自评分"
    assert r.unit(bad.OTHER).status == "final"
    inputs = {i.path: i for i in r.inputs}
    assert inputs["附件1-西门街道.doc"].scheme == "haishu-2019"  # properties survive LibreOffice
    assert inputs["附件1-西门街道.doc"].unit == bad.OTHER


def test_single_doc_opened_alone_converts_itself(tmp_path, docs):
    from flowscore.inputs.open import open_file

    wb, findings = open_file(docs["annex"], display="annex.doc")
    assert wb is not None and findings == []
    assert wb.props["flowscore.unit"] == bad.OTHER
    assert [g.name for g in wb.sheets] == ["表1"]
