"""Between runs and between years (issue #16): the run's manifest in results.json (version,
rubric hash, every input's size and sha256, each file read once), ``flowscore diff`` and
``compute --compare`` against the shipped 2018 results (made by
``scripts/make_previous_year.py`` against a 2018 rubric with two changed items)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import docx
import openpyxl
import pytest
from registers import ROOT, sample_copy
from typer.testing import CliRunner

from flowscore import __version__
from flowscore.cli import app
from flowscore.compare import compare
from flowscore.compute import compute_folder
from flowscore.contract import REGISTER_NAME
from flowscore.diff import diff_results
from flowscore.rubric import load_rubric
from flowscore.writers.results_json import load_results, result_to_dict, write_results

SAMPLE = ROOT / "sample_data" / "haishu-2019"
PREVIOUS = ROOT / "sample_data" / "haishu-2018-results"
HAISHU, _ = load_rubric("haishu-2019")
runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    from flowscore.cli import console as ui

    monkeypatch.setattr(ui.console, "width", 240)


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "out"
    r = run("compute", str(SAMPLE), "--out", str(out), "-q", "--text", "--compare", str(PREVIOUS))
    assert r.exit_code == 0, r.output
    return out


# -- the manifest -------------------------------------------------------------------------------------


def test_manifest_names_version_rubric_and_every_input(scored_sample):
    data = result_to_dict(scored_sample("haishu-2019"))
    man = data["manifest"]
    assert man["flowscore_version"] == __version__
    toml = ROOT / "flowscore" / "rubrics" / "haishu-2019.toml"
    assert man["rubric"] == {
        "id": "haishu-2019",
        "sha256": hashlib.sha256(toml.read_bytes()).hexdigest(),
    }
    files = sorted(p.name for p in SAMPLE.glob("*.xlsx"))
    assert [f["path"] for f in man["inputs"]] == files
    for f in man["inputs"]:
        raw = (SAMPLE / f["path"]).read_bytes()
        assert (f["size"], f["sha256"]) == (len(raw), hashlib.sha256(raw).hexdigest())


def test_each_file_is_read_once(monkeypatch):
    from flowscore.inputs.open import files

    reads: list[str] = []
    real = files.read_bounded

    def counting(path, limit):
        reads.append(str(path))
        return real(path, limit)

    monkeypatch.setattr(files, "read_bounded", counting)
    result = compute_folder(SAMPLE, rubric="haishu-2019")
    assert sorted(reads) == sorted(set(reads)) and len(reads) == len(result.inputs)
    assert all(f.sha256 for f in result.inputs)


def test_rerun_gives_the_same_results_json(tmp_path, scored_sample):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_results(scored_sample("haishu-2019"), first)
    write_results(compute_folder(SAMPLE), second)
    assert first.read_bytes() == second.read_bytes()


# -- flowscore diff -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """The sample scored without its register (before) and with it (after)."""
    base = tmp_path_factory.mktemp("runs")
    before = sample_copy("haishu-2019", base / "before")
    out = {}
    for name, folder in (("before", before), ("after", SAMPLE)):
        r = run("compute", str(folder), "--out", str(base / f"out-{name}"), "-q", "--no-reports")
        assert r.exit_code == 0, r.output
        out[name] = base / f"out-{name}"
    return out


def test_diff_of_a_run_with_itself_is_nothing(runs):
    r = run("diff", str(runs["after"]), str(runs["after"] / "results.json"))
    assert r.exit_code == 0
    assert "两次结果相同" in r.output and "评分细则：相同（haishu-2019）" in r.output


def test_diff_names_the_inputs_units_and_items_that_moved(runs):
    r = run("diff", str(runs["before"]), str(runs["after"]))
    assert r.exit_code == 1
    assert "增加" in r.output and REGISTER_NAME in r.output
    for unit in ("江厦街道", "鼓楼街道", "横街镇"):
        assert unit in r.output
    assert "第6名 → 第5名" in r.output  # 江厦街道
    assert "序号4 出租房屋管理：14.00（核定） → 15.00（核定）" in r.output
    assert "之后：考核组核定 15.00 分（核定登记表：李强" in r.output
    data = json.loads(run("diff", str(runs["before"]), str(runs["after"]), "--json").output)
    assert data["changed"] is True and data["rubric"]["changed"] is False
    assert data["inputs"] == [
        {
            "path": REGISTER_NAME,
            "change": "added",
            "old_size": None,
            "new_size": (SAMPLE / REGISTER_NAME).stat().st_size,
            "old_sha256": None,
            "new_sha256": hashlib.sha256((SAMPLE / REGISTER_NAME).read_bytes()).hexdigest(),
        }
    ]
    units = {u["unit"]: u for u in data["units"]}
    assert set(units) == {"江厦街道", "鼓楼街道", "横街镇"}  # 段塘街道: the same 4.5 registered
    assert units["鼓楼街道"]["fields"] == {"rank": {"before": 5, "after": 6}}
    assert units["鼓楼街道"]["items"] == []
    (item,) = units["横街镇"]["items"]
    assert (item["before"], item["after"]) == (D("0.00"), D("3.00"))
    assert (item["before_source"], item["after_source"]) == ("computed", "override")


def test_diff_across_years_says_the_rubric_changed(runs):
    r = run("diff", str(PREVIOUS), str(runs["after"]))
    assert r.exit_code == 1
    assert "评分细则：由“haishu-2018”" in r.output and "改为“haishu-2019”" in r.output


def test_diff_of_results_without_a_manifest_says_so(runs):
    old = load_results(runs["before"])
    del old["manifest"]
    found = diff_results(old, load_results(runs["after"]))
    assert found.changed and found.inputs == ()
    assert "旧结果没有记录输入文件" in found.notes[0]


def test_diff_refuses_what_is_not_a_result(tmp_path):
    r = runner.invoke(app, ["diff", str(tmp_path), str(tmp_path)])
    assert r.exit_code == 2 and "找不到结果文件" in r.output


# -- compute --compare ---------------------------------------------------------------------------------


def test_compare_sets_last_year_beside_this_year(compared):
    data = json.loads((compared / "results.json").read_text("utf-8"))
    cmp = data["comparison"]
    assert cmp["previous"]["scheme"]["id"] == "haishu-2018"
    assert cmp["previous"]["same_rubric"] is False
    prev = {u["unit"]: u for u in load_results(PREVIOUS)["units"]}
    units = {u["unit"]: u for u in cmp["units"]}
    nanmen = units["南门街道"]
    assert nanmen["previous_total"] == prev["南门街道"]["total"]
    assert D(str(nanmen["delta"])) == D(str(nanmen["total"])) - D(str(nanmen["previous_total"]))
    items = {i["no"]: i for i in nanmen["items"]}
    assert items["2"] == {
        "no": "2",
        "short": "新型居住证",
        "verified": 35.0,
        "previous_no": "2",
        "previous": None,
        "delta": None,
        "comparable": False,
        "why": "评分标准有修改",  # the 2018 target was 8 %
    }
    assert items["1"]["comparable"] and items["1"]["delta"] is not None
    market = {i["no"]: i for i in units["区市场监管局"]["items"]}
    assert market["3"]["why"] == "分值由 35 改为 40"
    police = units["海曙公安分局"]  # no changed item: no caveat
    assert police["note"] == "" and all(i["comparable"] for i in police["items"])
    assert any(f["code"] == "compare-rubric" for f in data["findings"])


def test_compare_shows_in_the_ranking_circular_and_feedback(compared):
    ws = openpyxl.load_workbook(compared / "考核汇总.xlsx")["排名"]
    header = [c.value for c in ws[3]]
    assert header[-5:] == ["上年评价得分", "增减", "上年名次", "名次变化", "比较说明"]
    rows = {r[2].value: [c.value for c in r] for r in ws.iter_rows(min_row=4)}
    assert rows["江厦街道"][-2] == "下降3名"  # 2018: second; 2019: fifth
    notice = docx.Document(str(compared / "考核结果通报（草稿）.docx"))
    texts = [p.text for p in notice.paragraphs]
    assert any(t.endswith("与上年比较") for t in texts)
    assert any("分值由 35 改为 40，不作比较" in t for t in texts)
    feedback = docx.Document(str(compared / "反馈单" / "江厦街道.docx"))
    body = [p.text for p in feedback.paragraphs]
    assert any("与上年比较" in t for t in body)
    assert any("名次下降3名" in t for t in body)
    cells = [c.text for t in feedback.tables for row in t.rows for c in row.cells]
    assert "评分标准有修改" in cells
    text = (compared / "reports" / "江厦街道.txt").read_text("utf-8")
    assert "六、与上年比较" in text and "类别内名次：第5名，上年 第2名，下降3名" in text
    shown = run("explain", "-u", "江厦街道", str(compared))
    assert (
        "与上年比较（2018年度" in shown.output and "序号2 不作比较：评分标准有修改" in shown.output
    )


def test_a_renamed_item_is_compared_through_previous(tmp_path, scored_sample):
    last = tmp_path / "last.json"
    write_results(scored_sample("haishu-2019"), last)
    text = (ROOT / "flowscore" / "rubrics" / "haishu-2019.toml").read_text("utf-8")
    head = "[[sheets.towns.items]]\nno = 5\n"
    start = text.index(head)
    end = text.index("\n[[", start + len(head))
    block = text[start:end]
    old_text = block.split('text = "', 1)[1].split('"', 1)[0]
    renamed = block.replace(old_text, "做好流动人口公共服务工作（改写后的评分标准）")
    rubric = tmp_path / "haishu-2019.toml"
    rubric.write_text(text[:start] + renamed + text[end:], "utf-8")
    unmapped = compute_folder(SAMPLE, rubric=rubric, compare_with=last)
    item = next(i for i in unmapped.comparison.unit("月湖街道").items if i.no == "5")
    assert item.why == "评分标准有修改"
    rubric.write_text(text[:start] + renamed + 'previous = "5"\n' + text[end:], "utf-8")
    mapped = compute_folder(SAMPLE, rubric=rubric, compare_with=last)
    item = next(i for i in mapped.comparison.unit("月湖街道").items if i.no == "5")
    assert item.why == "" and item.delta == 0


def test_a_renamed_unit_is_found_by_its_alias(scored_sample):
    result = scored_sample("haishu-2019")
    previous = copy.deepcopy(result_to_dict(result))
    for u in previous["units"]:
        if u["unit"] == "月湖街道":
            u["unit"] = "月湖老街道"
    scheme = replace(
        HAISHU,
        units=tuple(
            replace(u, aliases=("月湖老街道",)) if u.name == "月湖街道" else u for u in HAISHU.units
        ),
    )
    found = compare(replace(result), previous, scheme, source="x").unit("月湖街道")
    assert found.previous_unit == "月湖老街道" and found.delta == 0 and found.rank_text == "不变"
    alone = compare(replace(result), previous, HAISHU, source="x").unit("月湖街道")
    assert alone.note == "上年无此单位" and alone.delta_text == "上年无此单位"


def test_a_wrong_compare_path_is_refused_before_reading(tmp_path):
    r = runner.invoke(
        app, ["compute", str(SAMPLE), "--out", str(tmp_path / "o"), "--compare", "无"]
    )
    assert r.exit_code == 2 and "找不到结果文件" in r.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [("true", "rubric-bad-value"), ('""', "rubric-bad-value"), ('"4"', "rubric-duplicate")],
)
def test_previous_is_validated_by_the_loader(tmp_path, value, code):
    text = (ROOT / "flowscore" / "rubrics" / "haishu-2019.toml").read_text("utf-8")
    text = text.replace(
        "[[sheets.towns.items]]\nno = 5\n", f"[[sheets.towns.items]]\nno = 5\nprevious = {value}\n"
    )
    text = text.replace(
        "[[sheets.towns.items]]\nno = 6\n", '[[sheets.towns.items]]\nno = 6\nprevious = "4"\n'
    )
    path = tmp_path / "haishu-2019.toml"
    path.write_text(text, "utf-8")
    from flowscore.errors import FlowscoreError

    try:
        _scheme, findings = load_rubric(path)
    except FlowscoreError as exc:
        findings = list(getattr(exc, "findings", []))
    assert any(f.code == code and "previous" in f.key for f in findings), findings
