"""The pandas baseline: the script a data analyst would write to total a folder of score sheets.

    .venv/bin/python scripts/baseline_pandas.py FOLDER

For every .xlsx: ``pandas.read_excel(sheet_name=None, header=None, engine="openpyxl")``, find
the header row of each sheet (序号/自评分/核定分 for a score sheet, 单位 for the indicator
sheets), take the rows under it and sum the 自评分 and 核定分 columns per sheet; indicator rows
are collected into one table. It does not score by the rubric (no rules, no ranking, no checks):
it only reads every value flowscore reads, the way pandas reads them, so ``scripts/bench.py``
can compare reading speed with what people would otherwise do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HEADER_SCAN_ROWS = 30


def header_row(df: pd.DataFrame, needles: tuple[str, ...]) -> int | None:
    for i in range(min(len(df), HEADER_SCAN_ROWS)):
        labels = {str(v).replace(" ", "") for v in df.iloc[i].tolist() if isinstance(v, str)}
        if all(n in labels for n in needles):
            return i
    return None


def read_folder(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    totals = []
    indicators = []
    for path in sorted(folder.rglob("*.xlsx")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
        for name, df in sheets.items():
            h = header_row(df, ("自评分", "核定分"))
            if h is not None:
                body = df.iloc[h + 1 :].copy()
                body.columns = [str(c).replace(" ", "") for c in df.iloc[h].tolist()]
                seal = str(df.iloc[h - 1, 0]) if h > 0 else ""
                unit = seal.split("：")[-1].strip() or path.stem
                totals.append(
                    {
                        "unit": unit,
                        "file": path.name,
                        "self": pd.to_numeric(body["自评分"], errors="coerce").sum(),
                        "verified": pd.to_numeric(body["核定分"], errors="coerce").sum(),
                    }
                )
                continue
            h = header_row(df, ("单位",))
            if h is not None:
                body = df.iloc[h + 1 :].copy()
                body.columns = [str(c) for c in df.iloc[h].tolist()]
                body["sheet"] = name
                indicators.append(body.dropna(subset=["单位"]))
    table = pd.DataFrame(totals)
    inds = pd.concat(indicators, ignore_index=True) if indicators else pd.DataFrame()
    return table, inds


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("用法：baseline_pandas.py 文件夹", file=sys.stderr)
        return 2
    table, inds = read_folder(Path(argv[0]))
    print(
        f"评分表 {len(table)} 份，自评分合计 {table['self'].sum() if len(table) else 0:.2f}，"
        f"指标等数据 {len(inds)} 行"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
