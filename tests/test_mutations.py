"""Property test (issue #4): damage a valid folder at random — cells blanked, values swapped for
text, rows duplicated, sheets renamed — and flowscore still finishes without an exception; every
unit whose sheet was not touched scores exactly as before, and the touched unit either scores as
before or is named by a finding (never a silently different score).

300 examples in ~10 s; ``FLOWSCORE_MUTATIONS=1000`` runs more.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from builders import EXAMPLE, indicator_book, published_annex, town_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowscore.compute import compute_folder
from flowscore.numbers import parse_number

RUBRIC = "haishu-2019"
UNITS = {  # unit → (file, verified scores of items 4–6): neutral file names, so a damaged seal
    "月湖街道": ("t0.xlsx", (13.25, 5, 5)),  # line cannot be rescued from the file name
    "西门街道": ("t1.xlsx", (12, 4, 5)),
    "江厦街道": ("t2.xlsx", (14, 3.5, 4)),
    "古林镇": ("t3.xlsx", (10, 5, 2)),
}
EXAMPLES = int(os.environ.get("FLOWSCORE_MUTATIONS", "300"))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("base")
    inds = {}
    for i, (unit, (name, verified)) in enumerate(UNITS.items()):
        rows = town_rows(verified=(None, None, None, *verified))
        published_annex(folder / name, unit=unit, rows=rows)
        inds[unit] = {**EXAMPLE, "未报备发文数": i % 3, "年度新增参加量化积分人数": 100 - 10 * i}
    indicator_book(folder / "指标.xlsx", inds)
    result = compute_folder(folder, rubric=RUBRIC)
    assert all(result.unit(u).status == "final" for u in UNITS)
    return folder, {u: _score(result, u) for u in UNITS}


def _score(result, unit: str) -> tuple:
    u = result.unit(unit)
    return (u.status, u.total, tuple((i.no, i.verified, i.source) for i in u.items))


# Replacement text: never a number (a different number would be a different, legitimate score).
JUNK = st.one_of(
    st.sampled_from(
        [
            "",
            "35分",
            "良好",
            "#DIV/0!",
            "#REF!",
            "N/A",
            "  ",
            "十五",
            "15%",
            "TRUE",
            "=1+1",
            "合计",
            "加分项目",
            "序号",
            "核定分",
            "备注",
            "\n",
            "２３分",
        ]
    ),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
).filter(lambda t: parse_number(t).value is None)

# Whole-file mutations of the zip's parts (the robustness issue): declared counts, workbook.xml
# entries repeated or commented out, huge numbers, control characters in names.
HUGE = st.sampled_from(["1" * 29, "9" * 40, "1e300", "-1E+300", "123456789012345678901234567890.5"])
PART = st.one_of(
    st.tuples(st.just("unique-count"), st.sampled_from(["4294967295", "99999999999", "0", "-1"])),
    st.tuples(st.just("sheet-twice"), st.booleans()),
    st.tuples(st.just("sheet-in-comment"), st.booleans()),
    st.tuples(st.just("huge"), st.integers(4, 10), st.integers(3, 5), HUGE),
    st.tuples(
        st.just("control-name"),
        st.sampled_from(["\x1b[2J", "\x07", "\u202e", "_x001B_[31m", "\x00"]),
    ),
)

MUTATION = st.one_of(
    st.tuples(st.just("blank"), st.integers(1, 16), st.integers(1, 6)),
    st.tuples(st.just("text"), st.integers(1, 16), st.integers(1, 6), JUNK),
    st.tuples(st.just("duplicate"), st.integers(1, 16)),
    st.tuples(
        st.just("rename"),
        st.text(alphabet="附件表指标Sheet123 ", min_size=1, max_size=10).filter(
            lambda t: t.strip() and t == t.strip()
        ),
    ),
)


def _mutate(path: Path, mutations: list[tuple]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for rng in list(ws.merged_cells.ranges):  # cells under a merge cannot be changed
        ws.unmerge_cells(str(rng))
    for m in mutations:
        if m[0] == "blank":
            ws.cell(row=m[1], column=m[2]).value = None
        elif m[0] == "text":
            cell = ws.cell(row=m[1], column=m[2])
            cell.value = m[3]
            cell.data_type = "s"  # typed text, as in Excel (not a formula)
        elif m[0] == "duplicate":
            values = [c.value for c in ws[m[1]]]
            ws.insert_rows(m[1] + 1)
            for c, v in enumerate(values, 1):
                ws.cell(row=m[1] + 1, column=c).value = v
        elif m[0] == "rename":
            ws.title = m[1]
    wb.save(path)


def _mutate_parts(path: Path, mutation: tuple) -> None:
    """Rewrite one part of the saved workbook (after ``_mutate``): what openpyxl cannot write."""
    import io
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    wb = parts["xl/workbook.xml"].decode("utf-8")
    kind = mutation[0]
    if kind == "unique-count" and "xl/sharedStrings.xml" in parts:
        sst = parts["xl/sharedStrings.xml"].decode("utf-8")
        sst = re.sub(r'uniqueCount="[^"]*"', f'uniqueCount="{mutation[1]}"', sst, count=1)
        parts["xl/sharedStrings.xml"] = sst.encode("utf-8")
    elif kind in ("sheet-twice", "sheet-in-comment"):
        tag = re.search(r"<sheet [^>]*/>", wb)
        if tag:
            extra = tag.group(0) if kind == "sheet-twice" else f"<!-- {tag.group(0)} -->"
            wb = wb.replace(
                tag.group(0), (extra + tag.group(0)) if mutation[1] else (tag.group(0) + extra)
            )
    elif kind == "huge":
        sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
        ref = f"{'ABCDE'[mutation[2] - 1]}{mutation[1]}"
        sheet = re.sub(
            rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)',
            f'<c r="{ref}"><v>{mutation[3]}</v></c>'
            if "e" in mutation[3].lower()
            else f'<c r="{ref}" t="inlineStr"><is><t>{mutation[3]}</t></is></c>',
            sheet,
            count=1,
        )
        parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    elif kind == "control-name":
        wb = re.sub(
            r'(<sheet [^>]*name=")([^"]*)"',
            lambda m: m.group(1) + m.group(2) + mutation[1].replace("\x00", "&#0;") + '"',
            wb,
            count=1,
        )
    parts["xl/workbook.xml"] = wb.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    path.write_bytes(out.getvalue())


seen = {"examples": 0}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(sorted(UNITS)),
    mutations=st.lists(MUTATION, min_size=1, max_size=3),
    part=st.none() | PART,
)
def test_damage_never_crashes_and_never_changes_other_units(base, target, mutations, part):
    folder, baseline = base
    seen["examples"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "in"
        shutil.copytree(folder, work)
        damaged = UNITS[target][0]
        _mutate(work / damaged, mutations)
        if part is not None:
            _mutate_parts(work / damaged, part)
            mutations = [*mutations, part]
        result = compute_folder(work, rubric=RUBRIC)  # must not raise
    for unit in UNITS:
        if unit != target:
            assert _score(result, unit) == baseline[unit], (unit, mutations)
    if _score(result, target) != baseline[target]:
        named = [f for f in result.report if f.file == damaged or f.unit == target]
        assert named, (target, mutations, _score(result, target))


def test_report_example_count():
    """Runs after the property test (file order): the count goes into the issue's figures."""
    if seen["examples"]:
        print(f"\nmutation examples run: {seen['examples']}")
