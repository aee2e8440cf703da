"""Issue 14, point 2: a rubric copied for a new year, as the README teaches (a new id, a year,
perhaps an item's max changed or an item added), scores the sheets already handed out — made
from the ``beilun-streets`` template — item by item. A sheet of another assessment altogether
is still refused, in Chinese."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowscore.cli import app
from flowscore.compute import compute_folder
from flowscore.results import BatchResult
from flowscore.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
BEILUN = ROOT / "sample_data" / "beilun"
BUILTIN = ROOT / "flowscore" / "rubrics" / "beilun-streets.toml"
TEMPLATES = 9  # the sample's sheets made from the template; 白峰 and 大榭 made by hand

NEW_ITEM = """[[sheets.streets.items]]
no = {no}
category = "服务工作"
short = "积分入学宣传"
text = "做好流动人口子女积分入学政策宣传，开展宣传活动2次以上，每少一次扣1分。"
max = 2
mode = "assessor"

"""


def copied(tmp_path: Path, edit=None) -> Path:
    """beilun-streets.toml copied for 2021 as README “为新年度复制一份评分细则” step 2 says."""
    text = BUILTIN.read_text("utf-8")
    text = text.replace('id = "beilun-streets"', 'id = "beilun-2021"')
    text = text.replace(
        'title = "北仑区街道流动人口服务管理考核"',
        'title = "2021年度北仑区街道流动人口服务管理考核"\nyear = 2021',
    )
    if edit is not None:
        text = edit(text)
    path = tmp_path / "beilun-2021.toml"
    path.write_text(text, "utf-8")
    return path


def set_max(text: str, no: int, value: int) -> str:
    at = text.index(f"\nno = {no}\n")
    end = text.index("\nmax = ", at)
    line_end = text.index("\n", end + 1)
    return text[:end] + f"\nmax = {value}" + text[line_end:]


def add_item(text: str, no: int) -> str:
    at = text.index('[[sheets.streets.items]]\nno = "创新1"')
    return text[:at] + NEW_ITEM.format(no=no) + text[at:]


def of(result: BatchResult, code: str) -> list:
    return [f for f in result.report if f.code == code]


def scores_by_name(result: BatchResult) -> dict[tuple[str, str], object]:
    return {(u.unit, i.short): i.verified for u in result.units for i in u.items}


@pytest.fixture(scope="module")
def builtin() -> BatchResult:
    return compute_folder(BEILUN, rubric="beilun-streets")


def test_a_plain_copy_scores_every_sheet_as_the_builtin_does(tmp_path, builtin):
    result = compute_folder(BEILUN, rubric=copied(tmp_path))
    assert not of(result, "scheme-mismatch") and not of(result, "missing-submission")
    assert [(u.unit, u.total, u.status) for u in result.units] == [
        (u.unit, u.total, u.status) for u in builtin.units
    ]
    notes = of(result, "scheme-other-version")
    assert len(notes) == TEMPLATES and {f.level.value for f in notes} == {"info"}
    f = next(f for f in notes if f.file == "附件1-大碶街道.xlsx")
    assert (f.sheet, f.unit) == ("评分表", "大碶街道")
    assert f.message == (
        "这份评分表由评分细则“beilun-streets”的模板生成，本次使用“beilun-2021”：已按序号和"
        "考核内容逐项对应（本次细则 18 个项目，表中对得上 18 个）"
    )


def test_a_changed_max_and_a_new_item_are_findings_on_those_items(tmp_path, builtin):
    rubric = copied(tmp_path, lambda t: add_item(set_max(t, 12, 3), 17))
    result = compute_folder(BEILUN, rubric=rubric)
    assert not of(result, "scheme-mismatch") and not of(result, "missing-submission")
    differs = [f for f in of(result, "max-differs") if f.file == "附件1-大碶街道.xlsx"]
    assert [(f.cell, f.message) for f in differs] == [
        (
            "C19",
            "序号 12（子女就学）在评分表上的分值是 5，本次细则是 3，按本次细则的 3 分计分",
        )
    ]
    assert len(of(result, "max-differs")) == TEMPLATES  # printed on every template
    new = [f for f in of(result, "pending") if f.file == "附件1-大碶街道.xlsx"]
    assert [f.message for f in new] == [
        "序号17（积分入学宣传）尚未核定：这份评分表按评分细则“beilun-streets”制作，"
        "没有本次细则“beilun-2021”的这一项，该单位得分暂定"
    ]
    missing = [f.message for f in of(result, "item-missing") if f.unit == "大碶街道"]
    assert missing == [
        "评分表中没有序号 17（积分入学宣传）：这份表按评分细则“beilun-streets”的模板制作，"
        "本次细则“beilun-2021”有这一项"
    ]
    # every other item is scored as before; item 12 against its new max (4 > 3: refused)
    before, after = scores_by_name(builtin), scores_by_name(result)
    changed = {k for k in before if before[k] != after.get(k)}
    assert {short for _, short in changed} <= {"子女就学"}
    dq = {i.short: i for i in result.unit("大碶街道").items}
    assert dq["子女就学"].verified is None and dq["积分入学宣传"].source == "pending"


def test_a_removed_item_is_a_finding_on_its_row(tmp_path, builtin):
    """Item 16 (卫生防疫) dropped from the copy: the old template's row is not scored, said."""

    def remove(text: str) -> str:
        at = text.index("[[sheets.streets.items]]\nno = 16\n")
        end = text.index('[[sheets.streets.items]]\nno = "创新1"')
        return text[:at] + text[end:]

    result = compute_folder(BEILUN, rubric=copied(tmp_path, remove))
    assert not of(result, "scheme-mismatch") and not of(result, "unknown-item")
    dropped = [f for f in of(result, "unmatched-row") if f.file == "附件1-大碶街道.xlsx"]
    assert [(f.level.value, f.cell, f.message) for f in dropped] == [
        (
            "warning",
            "A23",
            "第23行（序号 16“卫生防疫”）在本次细则“beilun-2021”中没有对应的项目（已删除或改写），"
            "此行未采用",
        )
    ]
    # each template says so; the two sheets made by hand know no version: their row is an error
    levels = sorted(f.level.value for f in of(result, "unmatched-row"))
    assert levels == ["error"] * (11 - TEMPLATES) + ["warning"] * TEMPLATES
    before, after = scores_by_name(builtin), scores_by_name(result)
    assert {k: v for k, v in before.items() if k[1] != "卫生防疫"} == after


def test_an_item_inserted_in_the_middle_is_followed_by_its_text(tmp_path, builtin):
    """New item 5 in the copy: the old template's rows 5–16 are the copy's 6–17."""

    def insert(text: str) -> str:
        text = re.sub(r"^no = (\d+)$", lambda m: _shift(m, 5), text, flags=re.M)
        at = text.index("[[sheets.streets.items]]\nno = 6\n")
        item = NEW_ITEM.format(no=5).replace('"服务工作"', '"管理工作"')
        return text[:at] + item + text[at:]

    result = compute_folder(BEILUN, rubric=copied(tmp_path, insert))
    moved = [f for f in of(result, "item-renumbered") if f.file == "附件1-大碶街道.xlsx"]
    assert len(moved) == 12 and moved[0].cell == "A11"
    assert moved[0].message == (
        "第11行的序号是 5，考核内容与本次细则的序号 6（居住条件和出租房屋）相同，已按序号 6 读取"
    )
    before, after = scores_by_name(builtin), scores_by_name(result)
    assert {k: after[k] for k in before} == before  # every item scored from its own row


def _shift(m: re.Match[str], first: int) -> str:
    n = int(m.group(1))
    return f"no = {n + 1 if n >= first else n}"


def test_a_sheet_of_another_assessment_is_refused(tmp_path):
    """Haishu's town sheets against a rubric whose town items are other work altogether."""
    haishu, _ = load_rubric("haishu-2019")
    beilun, _ = load_rubric("beilun-streets")
    towns = haishu.sheet("towns")
    other = [
        replace(it, short=b.short, text=b.text)
        for it, b in zip(towns.items, beilun.sheet("streets").items, strict=False)
    ]
    sheets = tuple(replace(s, items=tuple(other)) if s.id == "towns" else s for s in haishu.sheets)
    scheme = replace(haishu, id="other-2020", sheets=sheets)
    result = compute_folder(ROOT / "sample_data" / "haishu-2019", scheme=scheme)
    refused = {f.file: f for f in of(result, "scheme-mismatch")}
    assert len(refused) == 15  # the town templates (古林镇, 鄞江镇: made by hand, unmarked)
    f = refused["附件1-月湖街道.xlsx"]
    assert (f.level.value, f.sheet, f.unit) == ("error", "评分表", "月湖街道")
    assert f.message == (
        "这份评分表由评分细则“haishu-2019”的模板生成，考核项目与本次使用的“other-2020”对不上"
        "（本次细则 6 个项目，表中只有 0 个对得上），不是同一套考核的表，未读取"
    )
    assert "--rubric" in f.hint
    (compared,) = [x for x in of(result, "template-altered") if x.file == "附件1-月湖街道.xlsx"]
    assert compared.message == (
        "此表由另一版评分细则“haishu-2019”生成（模板记录的细则内容与本次使用的不同），"
        "各项的序号和分值与本次细则“other-2020”相同，但多数项目的考核内容不同"
    )
    # it sent a sheet: not 未报送 (no 催报), but no score, and why, with what to do
    assert result.unit("月湖街道").status == "rejected"
    assert not [x for x in of(result, "missing-submission") if x.unit == "月湖街道"]
    (said,) = [x for x in of(result, "submission-unreadable") if x.unit == "月湖街道"]
    assert said.message == f"“月湖街道”报送的评分表没有计分（{f.message}），该单位暂无得分"
    assert "--rubric" in said.hint and said.file == "附件1-月湖街道.xlsx"
    from flowscore.writers.for_unit import without_options

    # the unit's feedback keeps the request and drops the operator's option
    assert without_options(said.hint).startswith("请该单位改用本次细则的模板重新报送")
    assert "--" not in without_options(said.hint)
    assert result.unit("区教育局").status == "final"  # department sheets are the same items


def test_compute_with_the_copy_through_the_cli(tmp_path):
    r = CliRunner().invoke(
        app,
        ["compute", str(BEILUN), "--rubric", str(copied(tmp_path)), "--out", str(tmp_path / "o")],
    )
    assert r.exit_code == 0, r.output
    assert "读取文件 12 个；单位 11 个：已定 10、暂定 1、未报送 0" in r.output
    assert "用了其他细则的模板" not in r.output
