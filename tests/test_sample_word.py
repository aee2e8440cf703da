"""The committed Word sample year is what ``scripts/make_sample_docx.py`` makes, byte for byte
(fixed seed, document dates and zip timestamps)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "haishu-2019-word"
sys.path.insert(0, str(ROOT / "scripts"))

import make_sample_docx  # noqa: E402


def test_regenerated_sample_is_identical(tmp_path):
    out = tmp_path / "haishu-2019-word"
    make_sample_docx.generate(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SAMPLE.iterdir())
    for committed in sorted(SAMPLE.iterdir()):
        assert (out / committed.name).read_bytes() == committed.read_bytes(), committed.name


def test_five_word_annexes_in_their_layouts():
    from flowscore.inputs.open import open_file

    words = sorted(p.name for p in SAMPLE.glob("*.docx"))
    assert len(words) == 5
    whole = open_file(SAMPLE / "附件2（区教育局填报）.docx", display="x")[0]
    grid = whole.sheets[0]
    header = grid.rows[grid.first_table_row]
    assert header[0] == "考核部门" and header[2] == "得分"  # no 序号; 得分 over the points
    names = [r[0] for r in grid.rows[grid.first_table_row + 1 :] if r[0]]
    assert len(names) == 11 and names[-2:] == [
        "加分\n项目",
        "减分\n项目",
    ]  # 9 departments, once each
    split = open_file(SAMPLE / "南门街道附件1评分表.docx", display="x")[0]
    assert len(split.sheets) == 1  # two Word tables, one grid
    template = open_file(SAMPLE / "附件1-月湖街道.docx", display="x")[0]
    assert template.props["flowscore.unit"] == "月湖街道"
