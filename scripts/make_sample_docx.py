"""Regenerate ``sample_data/haishu-2019-word/``: the Haishu 2019 sample year in which five units
return their annex as a Word document.

    .venv/bin/python scripts/make_sample_docx.py            # into sample_data/haishu-2019-word
    .venv/bin/python scripts/make_sample_docx.py --out DIR  # somewhere else

The year is ``make_sample_data``'s, value for value (its seed, statistics, fillings and
deliberate problems): the spreadsheets of the other 21 units, the indicator and entries
workbooks are made by it; the five Word annexes carry the same scores in the layouts units use:

- 月湖街道: ``flowscore template --format docx``, filled in (with its 加分 claim and 备注);
- 南门街道: 附件1 typed after the published Word table (序号, no 备注 column), the table broken
  across a page with its header typed again;
- 望春街道: the same layout in one piece, a self score typed in full-width digits (``１４``);
- 区教育局: 附件2 as published, whole: nine departments in one table, 考核部门 merged down (one
  character a line), no 序号, 得分 over the points, ``±20``; only its own rows filled;
- 海曙公安分局: its own rows of 附件2 in that layout, broken across a page, the header again.

So every unit must score exactly as in the spreadsheet year (``tests/test_golden.py``).
Deterministic: fixed seed, fixed document dates, zip entries with fixed timestamps.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import make_sample_data as year  # noqa: E402
from builders_docx import (  # noqa: E402
    fill_docx_template,
    published_dept_docx,
    published_town_docx,
)

from flowscore.atomic import replace_dir_atomic  # noqa: E402
from flowscore.rubric import load_rubric  # noqa: E402
from flowscore.rubric.model import Scheme  # noqa: E402
from flowscore.template import annex_filename  # noqa: E402
from flowscore.template_docx import build_annex_docx  # noqa: E402

DEFAULT_OUT = ROOT / "sample_data" / "haishu-2019-word"
# unit → (file name, layout)
WORD_UNITS = {
    "月湖街道": ("附件1-月湖街道.docx", "template"),
    "南门街道": ("南门街道附件1评分表.docx", "town-split"),
    "望春街道": ("望春街道考核评分表.docx", "town"),
    "区教育局": ("附件2（区教育局填报）.docx", "dept-whole"),
    "海曙公安分局": ("海曙公安分局-附件2.docx", "dept-split"),
}
SPLIT_BEFORE = {"南门街道": "4", "海曙公安分局": "5"}  # the row that starts page 2


def typed(value: year.Value) -> str | None:
    """A value as a clerk types it into a Word cell: 35, 4.5, １４ (text, never a float)."""
    if value is None:
        return None
    if isinstance(value, float):
        d = Decimal(repr(value))
        return str(d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize())
    return str(value)


def scores_of(filled: year.Filled) -> dict[str, tuple[str | None, str | None]]:
    return {no: (typed(r.self_score), typed(r.verified)) for no, r in filled.items.items()}


def word_annex(scheme: Scheme, unit: str, filled: year.Filled, path: Path) -> None:
    """``unit``'s annex written to ``path`` in its layout (see module doc)."""
    layout = WORD_UNITS[unit][1]
    scores = scores_of(filled)
    bonus = (typed(filled.bonus.self_score), typed(filled.bonus.verified))
    penalty = (typed(filled.penalty.self_score), typed(filled.penalty.verified))
    if layout == "template":
        build_annex_docx(scheme, unit, when=year.FIXED_TIME).save(str(path))
        remarks = {no: r.remark for no, r in filled.items.items() if r.remark}
        if filled.bonus.remark:
            remarks["加分项目"] = filled.bonus.remark
        fill_docx_template(path, scores, bonus=bonus, penalty=penalty, remarks=remarks)
    elif layout.startswith("town"):
        published_town_docx(
            path,
            scheme,
            unit,
            scores,
            bonus=bonus,
            penalty=penalty,
            split_before=SPLIT_BEFORE.get(unit),
        )
    else:
        published_dept_docx(
            path,
            scheme,
            unit,
            scores,
            bonus=bonus,
            penalty=penalty,
            whole=layout == "dept-whole",
            split_before=SPLIT_BEFORE.get(unit),
        )
    _fixed_zip(path)


def _fixed_zip(path: Path) -> None:
    """python-docx stamps every zip entry with the current time: put a fixed one."""
    src = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=year.ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zo.writestr(fixed, zi.read(info.filename))


def generate(out_dir: Path) -> list[Path]:
    """Write the Word sample year into ``out_dir`` (replaced whole). Returns the files."""
    scheme, _ = load_rubric("haishu-2019")
    books = year.build(scheme)
    # The same fillings make_sample_data.build drew (same seed, same order of draws).
    rng = random.Random(year.SEED)
    year.indicator_rows(scheme, rng)
    sheets = {u.name: year.filled_sheet(scheme, u.name, rng) for u in scheme.units}
    year.apply_problems(sheets)
    for unit in WORD_UNITS:
        del books[annex_filename(scheme, unit)]

    def fill(tmp: Path) -> None:
        for name, wb in books.items():
            year.save_fixed(wb, tmp / name)
        with tempfile.TemporaryDirectory() as work:
            for unit, (name, _) in WORD_UNITS.items():
                word_annex(scheme, unit, sheets[unit], Path(work) / "annex.docx")
                (tmp / name).write_bytes((Path(work) / "annex.docx").read_bytes())
        (tmp / "README.md").write_text(readme(), encoding="utf-8")
        tmp.chmod(0o755)

    replace_dir_atomic(out_dir, fill)
    return sorted(out_dir.iterdir())


FILES = [
    (
        "`附件1-月湖街道.docx`",
        "`flowscore template --format docx` 生成的 Word 评分表，填了自评分、核定分、加分项目自报和备注",
    ),
    (
        "`南门街道附件1评分表.docx`",
        "按公布的 Word 附件1 手工填写（有序号，没有备注列）；表格在第4项前分页，第二页重新打了表头",
    ),
    ("`望春街道考核评分表.docx`", "同一版式，表格不分页；第4项自评分是全角数字 `１４`"),
    (
        "`附件2（区教育局填报）.docx`",
        "公布的附件2原样：九个部门在同一张表里，“考核部门”一列纵向合并、每格一字一行，没有序号，"
        "分值列的表头是“得分”，市对区排名行为 `±20`；只填了区教育局的行",
    ),
    (
        "`海曙公安分局-附件2.docx`",
        "附件2版式，只有本部门的行；表格在第5项前分页，第二页重新打了表头",
    ),
    (
        "其余 `.xlsx`",
        "与 `sample_data/haishu-2019/` 相同（其余21个单位的评分表、指标数据、加减分登记）",
    ),
]


def readme() -> str:
    lines = [
        "# 示例数据：2019年度海曙区（部分单位报送 Word 评分表）",
        "",
        "本文件夹由 `scripts/make_sample_docx.py` 生成（固定随机种子和时间，重新生成结果相同），"
        "请勿手工修改。",
        "",
        "与 `sample_data/haishu-2019/` 是同一年度、同一批数据：五个单位把评分表以 Word 文档报送，"
        "分数与电子表格年度完全相同，因此每个单位的核定分、评价得分、折算得分和名次都应与之一致"
        "（`tests/test_golden.py` 核对）。故意设置的问题见 `sample_data/haishu-2019/README.md`。",
        "",
        "## Word 评分表",
        "",
        "| 文件 | 内容 |",
        "|---|---|",
        *(f"| {a} | {b} |" for a, b in FILES),
        "",
        "Word 评分表中的问题按“文件 › 表1 › 第5行 › 自评分”标明位置（表格中的第几行、哪一列）。",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="重新生成海曙区2019年度示例数据（部分 Word 评分表）"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹")
    args = parser.parse_args(argv)
    written = generate(args.out)
    print(f"已生成 {len(written)} 个文件：{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
