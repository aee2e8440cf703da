"""``results.json``: the whole run as data, for ``--json``, for ``flowscore rank`` and for other
programs.

Numbers are JSON numbers written with their exact decimal text: 0.6528 is written ``0.6528`` and
35.00 ``35.00``, never a binary-float approximation. The standard ``json`` module cannot do that
(it formats floats itself and quotes whatever ``default`` returns), so ``json_text`` is a small
serializer of its own: dicts with sorted keys, two-space indent, UTF-8 text with Chinese as is.
``load_results`` reads numbers back as ``Decimal`` for the same reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore import __version__
from flowscore.errors import UsageError
from flowscore.results import (
    SOURCE_LABELS,
    STATUS_LABELS,
    BatchResult,
    Entry,
    IndicatorRow,
    ItemResult,
    UnitResult,
)

FORMAT = "flowscore-results"
FORMAT_VERSION = 1
FILE_NAME = "results.json"


def _item(it: ItemResult) -> dict[str, Any]:
    return {
        "no": it.no,
        "short": it.short,
        "text": it.text,
        "category": it.category,
        "max": it.max,
        "min": it.min,
        "max_label": it.max_label,
        "mode": it.mode,
        "self_score": it.self_score,
        "entered": it.entered,
        "computed": it.computed,
        "verified": it.verified,
        "difference": it.difference,
        "lost": it.lost,
        "source": it.source,
        "source_label": SOURCE_LABELS.get(it.source, it.source),
        "remark": it.remark,
        "explanation": it.explanation,
        "cell": it.cell,
        "assessor": it.assessor,
    }


def entry_to_dict(e: Entry) -> dict[str, Any]:
    return {
        "unit": e.unit,
        "kind": e.kind,
        "topic": e.topic,
        "points": e.points,
        "note": e.note,
        "counted": e.counted,
        "reason": e.reason,
        "file": e.file,
        "sheet": e.sheet,
        "row": e.row,
    }


def _unit(u: UnitResult) -> dict[str, Any]:
    return {
        "unit": u.unit,
        "tier": u.tier,
        "tier_label": u.tier_label,
        "base": u.base,
        "sheet": u.sheet,
        "status": u.status,
        "status_label": STATUS_LABELS.get(u.status, u.status),
        "total": u.total,
        "contribution": u.contribution,
        "rank": u.rank,
        "bonus": u.bonus,
        "penalty": u.penalty,
        "subtotal": u.subtotal,
        "self_total": u.self_total,
        "file": u.file,
        "categories": [{"category": c, "verified": v, "max": m} for c, v, m in u.categories],
        "entries": [entry_to_dict(e) for e in u.entries],
        "items": [_item(it) for it in u.items],
        "pending": [str(it.no) for it in u.pending],
    }


def _indicator(row: IndicatorRow) -> dict[str, Any]:
    return {
        "unit": row.unit,
        "values": dict(row.values),
        "rates": dict(row.rates),
        "file": row.file,
        "sheet": row.sheet,
        "row": row.row,
    }


def ordered_units(result: BatchResult) -> list[UnitResult]:
    """Units in rubric tier order, by rank within a tier (missing last), then any unit of a tier
    the rubric does not list: the one order every output uses."""
    tier_ids = [t[0] for t in result.tiers]
    tier_ids += sorted({u.tier for u in result.units} - set(tier_ids))
    return [u for t in tier_ids for u in result.tier_units(t)]


def tier_summaries(result: BatchResult) -> list[dict[str, Any]]:
    """Per tier: label, base, how many units in each status, and the sum of contributions."""
    out = []
    labels = {t[0]: (t[1], t[2]) for t in result.tiers}
    for u in ordered_units(result):
        if out and out[-1]["id"] == u.tier:
            continue
        units = result.tier_units(u.tier)
        label, base = labels.get(u.tier, (u.tier_label, u.base))
        out.append({
            "id": u.tier,
            "label": label,
            "base": base,
            "units": len(units),
            "ranked": sum(1 for x in units if x.rank is not None),
            "status": {s: sum(1 for x in units if x.status == s) for s in STATUS_LABELS},
            "contribution_sum": sum(
                (x.contribution for x in units if x.contribution is not None), Decimal(0)
            ),
        })
    return out


def result_to_dict(result: BatchResult) -> dict[str, Any]:
    """The whole run as plain data (numbers as ``Decimal``); ``json_text`` writes it."""
    units = ordered_units(result)
    entries = result.entries or tuple(e for u in units for e in u.entries)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "flowscore_version": __version__,
        "scheme": {"id": result.scheme_id, "title": result.scheme_title},
        "folder": result.folder,
        "complete": result.complete,
        "tiers": tier_summaries(result),
        "units": [_unit(u) for u in units],
        "indicators": [_indicator(r) for r in result.indicators],
        "entries": [entry_to_dict(e) for e in entries],
        "inputs": [
            {"path": f.path, "kind": f.kind, "unit": f.unit, "sheets": list(f.sheets)}
            for f in result.inputs
        ],
        "rank_points": {k: list(v) for k, v in result.rank_points.items()},
        "findings": result.report.to_list(),
        "summary": {
            "findings": result.report.counts(),
            "units": {s: sum(1 for u in units if u.status == s) for s in STATUS_LABELS},
            "units_total": len(units),
        },
    }


def _encode(value: Any, indent: str, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        if value.is_zero():
            value = value.copy_abs()  # no "-0.00"
        # 'f' keeps the exact digits and the scale (35.00 stays 35.00) and never an exponent.
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):  # not expected: results hold Decimals only
        raise TypeError("float in results data; use Decimal")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        for i, key in enumerate(sorted(value, key=str)):
            if i:
                out.append(",\n")
            out.append(f"{inner}{json.dumps(str(key), ensure_ascii=False)}: ")
            _encode(value[key], inner, out)
        out.append(f"\n{indent}}}")
    elif isinstance(value, Sequence):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for i, item in enumerate(value):
            if i:
                out.append(",\n")
            out.append(inner)
            _encode(item, inner, out)
        out.append(f"\n{indent}]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} to JSON")


def json_text(data: Any) -> str:
    """Deterministic JSON text (sorted keys, indent 2, ending in a newline) with Decimals as
    exact JSON numbers."""
    out: list[str] = []
    _encode(data, "", out)
    out.append("\n")
    return "".join(out)


def write_results(result: BatchResult, path: Path) -> None:
    path.write_text(json_text(result_to_dict(result)), encoding="utf-8", newline="\n")


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
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} 不是有效的 JSON 文件：{exc}",
                         hint="请指定 flowscore 生成的 results.json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} 不是 flowscore 生成的结果文件",
                         hint="请指定 flowscore 生成的 results.json")
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise UsageError(f"{path} 的格式版本（{version}）不受支持",
                         hint="请用生成它的 flowscore 版本读取，或重新运行 flowscore compute")
    units = data.get("units")
    if not isinstance(data.get("scheme"), dict) or not isinstance(units, list) or not all(
        isinstance(u, dict) and isinstance(u.get("unit"), str) for u in units
    ):
        raise UsageError(f"{path} 内容不完整（缺少方案或单位数据）",
                         hint="文件可能被改动过，请重新运行 flowscore compute")
    return data
