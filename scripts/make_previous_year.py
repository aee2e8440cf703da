"""Regenerate ``sample_data/haishu-2018-results/``: the previous year's results, for
``flowscore compute --compare`` and ``flowscore diff``.

    .venv/bin/python scripts/make_previous_year.py            # into sample_data/haishu-2018-results
    .venv/bin/python scripts/make_previous_year.py --out DIR  # somewhere else

A plausible 2018 for Haishu, made the way the 2019 sample is (``make_sample_data.py``) but
varied: another random seed (other statistics and self scores), other unreported documents,
city ranking and bonus/penalty entries, no register — and scored against a 2018 rubric that
differs from 2019's in two places, so the comparison has items it cannot compare:

- 附件1 第2项: the 电子居住证 target was 8% (2019: 10%), so its rule text differs;
- 附件2 区市场监管局 第3项 (无证无照): 35 points (2019: 40; the 2018 sheet summed to 100).

The 2018 inputs are built in a temporary folder and scored there; only ``results.json`` (and a
README) is kept. Deterministic: a rerun writes the same bytes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import make_sample_data as sample  # noqa: E402

from flowscore.atomic import replace_dir_atomic  # noqa: E402
from flowscore.compute import compute_folder  # noqa: E402
from flowscore.rubric import load_rubric  # noqa: E402
from flowscore.writers.results_json import write_results  # noqa: E402

DEFAULT_OUT = ROOT / "sample_data" / "haishu-2018-results"
RUBRIC_2019 = ROOT / "flowscore" / "rubrics" / "haishu-2019.toml"

# (2019 text, 2018 text) in the whole rubric, and in one item's block (its header line): each
# must occur exactly once where it is replaced.
CHANGES = [
    ('id = "haishu-2019"', 'id = "haishu-2018"'),
    (
        'title = "2019年度海曙区流动人口服务管理项目目标管理考核"',
        'title = "2018年度海曙区流动人口服务管理项目目标管理考核"',
    ),
    ("year = 2019", "year = 2018"),
    ("total = 100\npublished_sum = 105\n", "total = 100\n"),  # 2018's sheet summed to 100
]
ITEM_CHANGES = {
    "[[sheets.towns.items]]\nno = 2\n": [
        (
            "电子居住证申领数达到本年度居住证新申领数的10%以上。",
            "电子居住证申领数达到本年度居住证新申领数的8%以上。",
        ),
        (
            'denominator = "本年度居住证新申领数", target = 10,',
            'denominator = "本年度居住证新申领数", target = 8,',
        ),
    ],
    "[[sheets.dept-market.items]]\nno = 3\n": [("max = 40", "max = 35")],
}


def rubric_2018() -> str:
    text = RUBRIC_2019.read_text(encoding="utf-8")
    for old, new in CHANGES:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    for head, changes in ITEM_CHANGES.items():
        assert text.count(head) == 1, head
        start = text.index(head)
        end = text.find("\n[[", start + len(head))
        end = len(text) if end < 0 else end
        block = text[start:end]
        for old, new in changes:
            assert block.count(old) == 1, old
            block = block.replace(old, new)
        text = text[:start] + block + text[end:]
    return text


def vary() -> None:
    """2018's own numbers, put into the 2019 sample's maker."""
    sample.SEED = 20181210
    sample.FIXED_TIME = datetime(2018, 12, 10, 9, 0, 0)
    sample.ZIP_TIME = (2018, 12, 10, 9, 0, 0)
    sample.UNREPORTED = {"高桥镇": 2, "洞桥镇": 1, "区市场监管局": 2, "区医保局": 1}
    sample.NO_POINTS_WINDOW = {"章水镇", "龙观乡"}
    sample.RANKING = [
        ("海曙公安分局", 4, None),
        ("区教育局", 3, None),
        ("区人力社保局", 5, 2),
        ("区卫生健康局", 6, None),
        ("区总工会", 2, None),
    ]
    sample.EXPECTED_RANK_POINTS = {
        "海曙公安分局": 8,
        "区教育局": 12,
        "区人力社保局": 0,
        "区卫生健康局": -4,
        "区总工会": 16,
    }
    sample.ENTRIES = [
        ("月湖街道", "加分", "流动党员服务", 8, "流动党员服务站做法在《海曙信息》刊登"),
        ("石碶街道", "加分", "新居民融合", 10, "新居民融合做法获市领导批示肯定"),
        ("西门街道", "加分", "出租房屋管理", 5, "出租房屋管理做法被《宁波日报》正面报道"),
        ("海曙公安分局", "加分", "居住证便民办理", 5, "居住证办理做法在《海曙信息》刊登"),
        ("横街镇", "减分", "群租房消防安全", 5, "辖区群租房火灾隐患被区安委会通报批评"),
    ]
    sample.REGISTER = []


def generate(out_dir: Path) -> Path:
    vary()
    with tempfile.TemporaryDirectory() as tmp:
        rubric = Path(tmp) / "haishu-2018.toml"
        rubric.write_text(rubric_2018(), encoding="utf-8")
        scheme, _ = load_rubric(rubric)
        inputs = Path(tmp) / "haishu-2018"
        inputs.mkdir()
        for name, wb in sample.build(scheme).items():
            if name != sample.REGISTER_NAME:  # 2018 had no register
                sample.save_fixed(wb, inputs / name)
        result = compute_folder(inputs, scheme=scheme)
    result.folder = "haishu-2018"  # not the temporary folder: the bytes stay the same

    def fill(tmp_out: Path) -> None:
        write_results(result, tmp_out / "results.json")
        (tmp_out / "README.md").write_text(README, encoding="utf-8")
        tmp_out.chmod(0o755)

    replace_dir_atomic(out_dir, fill)
    return out_dir / "results.json"


README = """# 示例数据：2018年度海曙区考核结果（供与2019年比较）

本文件夹由 `scripts/make_previous_year.py` 生成，请勿手工修改。`results.json` 是虚构的2018年度
考核结果：按与2019年相同的方法生成评分表（另一组随机数、不同的未报备发文、市考排名和加减分，
没有核定登记表），用一份2018年度的评分细则计分。这份细则与2019年有两处不同：

- 附件1 第2项：电子居住证申领率的目标为8%（2019年为10%），评分标准不同，这一项不作比较；
- 附件2 区市场监管局 第3项（无证无照经营整治）：分值35分（2019年为40分），这一项不作比较。

用法：

```
flowscore compute sample_data/haishu-2019 --compare sample_data/haishu-2018-results
```

排名表、通报和各单位的反馈单上会加上“上年评价得分”“增减”和“名次变化”；不能比较的项目写明原因。
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成海曙区2018年度示例结果（供比较）")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出文件夹")
    args = parser.parse_args(argv)
    print(f"已生成 {generate(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
