"""Reading a ``results.json`` back (``rank``, ``explain``, ``diff``, ``--compare``): apart from
its writer, so the commands that only read a results file start without the writers."""

from __future__ import annotations

import gc
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.contract import RESULTS_NAME
from flowscore.errors import UsageError

FORMAT = "flowscore-results"
FORMAT_VERSION = 1
FILE_NAME = RESULTS_NAME


def _parse(text: str) -> Any:
    """``json.loads`` with numbers as ``Decimal``, the cyclic garbage collector paused: the
    parser makes only fresh acyclic dicts and lists (hundreds of thousands for a large run), and
    the collections they would trigger are a third of the time."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text, parse_float=Decimal)
    finally:
        if paused:
            gc.enable()


def load_results(path: Path) -> dict[str, Any]:
    """Read a ``results.json`` written by flowscore; numbers with a fraction come back as
    ``Decimal``. Anything else is refused with a Chinese message."""
    path = Path(path)
    if path.is_dir():
        path = path / FILE_NAME
    if not path.is_file():
        raise UsageError(
            f"找不到结果文件：{path}",
            hint="请先运行 flowscore compute 生成结果，或指定输出文件夹中的 results.json",
        )
    try:
        data = _parse(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"{path} 不是有效的 JSON 文件：{exc}", hint="请指定 flowscore 生成的 results.json"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(
            f"{path} 不是 flowscore 生成的结果文件", hint="请指定 flowscore 生成的 results.json"
        )
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise UsageError(
            f"{path} 的格式版本（{version}）不受支持",
            hint="请用生成它的 flowscore 版本读取，或重新运行 flowscore compute",
        )
    units = data.get("units")
    if (
        not isinstance(data.get("scheme"), dict)
        or not isinstance(units, list)
        or not all(isinstance(u, dict) and isinstance(u.get("unit"), str) for u in units)
    ):
        raise UsageError(
            f"{path} 内容不完整（缺少方案或单位数据）",
            hint="文件可能被改动过，请重新运行 flowscore compute",
        )
    return data
