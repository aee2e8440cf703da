"""``flowscore diff OLD NEW``: what moved between two runs, and why.

Two results.json files (or output folders holding one) are compared: the input files added,
removed or changed (by the manifest's content hashes), a change of rubric (its id or its
content hash), units added or removed, and every unit whose status, 评价得分, 折算得分, rank,
bonus or penalty changed — or any of whose items' 核定分 or source did — with those items
before → after and the explanation of both. Nothing here prints: ``cli/console.py`` renders a
``RunDiff``, ``to_dict`` is ``--json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.results_file import load_results

# A unit's fields compared, with their Chinese names (in the order shown).
UNIT_FIELDS = {
    "status": "状态",
    "total": "评价得分",
    "contribution": "折算得分",
    "rank": "名次",
    "bonus": "加分",
    "penalty": "减分",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class InputChange:
    path: str
    change: str  # added / removed / changed
    old_size: int | None = None
    new_size: int | None = None
    old_sha256: str = ""
    new_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "change": self.change,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_sha256": self.old_sha256 or None,
            "new_sha256": self.new_sha256 or None,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemChange:
    no: str
    short: str
    before: Decimal | None
    after: Decimal | None
    before_source: str
    after_source: str
    before_explanation: str
    after_explanation: str
    change: str = "changed"  # changed / added / removed (an item only one run has)

    def to_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "short": self.short,
            "change": self.change,
            "before": self.before,
            "after": self.after,
            "before_source": self.before_source or None,
            "after_source": self.after_source or None,
            "before_explanation": self.before_explanation,
            "after_explanation": self.after_explanation,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class UnitChange:
    unit: str
    tier: str
    tier_label: str
    change: str  # changed / added / removed
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # name → (old, new)
    items: tuple[ItemChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "tier": self.tier,
            "tier_label": self.tier_label,
            "change": self.change,
            "fields": {k: {"before": a, "after": b} for k, (a, b) in self.fields.items()},
            "items": [i.to_dict() for i in self.items],
        }


@dataclass(frozen=True, kw_only=True)
class RunDiff:
    old: str  # the two results as given
    new: str
    old_rubric: tuple[str, str]  # (id, sha256 or "")
    new_rubric: tuple[str, str]
    inputs: tuple[InputChange, ...] = ()
    units: tuple[UnitChange, ...] = ()
    notes: tuple[str, ...] = ()  # what could not be compared (a run without a manifest)

    @property
    def rubric_changed(self) -> bool:
        (old_id, old_sha), (new_id, new_sha) = self.old_rubric, self.new_rubric
        return old_id != new_id or bool(old_sha and new_sha and old_sha != new_sha)

    @property
    def changed(self) -> bool:
        return bool(self.inputs or self.units or self.rubric_changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "flowscore-diff",
            "old": self.old,
            "new": self.new,
            "changed": self.changed,
            "rubric": {
                "changed": self.rubric_changed,
                "before": {"id": self.old_rubric[0], "sha256": self.old_rubric[1] or None},
                "after": {"id": self.new_rubric[0], "sha256": self.new_rubric[1] or None},
            },
            "inputs": [i.to_dict() for i in self.inputs],
            "units": [u.to_dict() for u in self.units],
            "notes": list(self.notes),
        }


def diff_paths(old: Path, new: Path) -> RunDiff:
    """The two results (files, or output folders holding results.json) compared; a path that
    is not a flowscore result is a UsageError (``load_results``)."""
    return diff_results(
        load_results(old), load_results(new), old_label=str(old), new_label=str(new)
    )


def diff_results(
    old: Mapping[str, Any], new: Mapping[str, Any], *, old_label: str = "", new_label: str = ""
) -> RunDiff:
    """``old`` and ``new`` as ``load_results`` reads them."""
    notes: list[str] = []
    inputs: tuple[InputChange, ...] = ()
    old_man, new_man = old.get("manifest"), new.get("manifest")
    if isinstance(old_man, dict) and isinstance(new_man, dict):
        inputs = _inputs(old_man.get("inputs", []), new_man.get("inputs", []))
    else:
        which = "旧" if not isinstance(old_man, dict) else "新"
        notes.append(
            f"{which}结果没有记录输入文件（由较早版本的 flowscore 生成），无法比较输入文件"
        )
    units = _units(old.get("units", []), new.get("units", []))
    return RunDiff(
        old=old_label,
        new=new_label,
        old_rubric=_rubric(old),
        new_rubric=_rubric(new),
        inputs=inputs,
        units=units,
        notes=tuple(notes),
    )


def _rubric(data: Mapping[str, Any]) -> tuple[str, str]:
    scheme = data.get("scheme") or {}
    man = data.get("manifest") or {}
    rubric = man.get("rubric") or {} if isinstance(man, dict) else {}
    return str(scheme.get("id", "")), str(rubric.get("sha256") or "")


def _inputs(old: list[Any], new: list[Any]) -> tuple[InputChange, ...]:
    before = {str(f.get("path")): f for f in old if isinstance(f, dict)}
    after = {str(f.get("path")): f for f in new if isinstance(f, dict)}
    out = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a is None and b is not None:
            out.append(
                InputChange(
                    path=path,
                    change="added",
                    new_size=b.get("size"),
                    new_sha256=b.get("sha256") or "",
                )
            )
        elif b is None and a is not None:
            out.append(
                InputChange(
                    path=path,
                    change="removed",
                    old_size=a.get("size"),
                    old_sha256=a.get("sha256") or "",
                )
            )
        elif a is not None and b is not None and a.get("sha256") != b.get("sha256"):
            out.append(
                InputChange(
                    path=path,
                    change="changed",
                    old_size=a.get("size"),
                    new_size=b.get("size"),
                    old_sha256=a.get("sha256") or "",
                    new_sha256=b.get("sha256") or "",
                )
            )
    return tuple(out)


def _units(old: list[Any], new: list[Any]) -> tuple[UnitChange, ...]:
    before = {str(u["unit"]): u for u in old if isinstance(u, dict) and "unit" in u}
    after = {str(u["unit"]): u for u in new if isinstance(u, dict) and "unit" in u}
    out = []
    for name, b in after.items():  # in the new run's order
        a = before.get(name)
        if a is None:
            out.append(_whole(b, "added"))
            continue
        fields = {k: (a.get(k), b.get(k)) for k in UNIT_FIELDS if a.get(k) != b.get(k)}
        items = _items(a.get("items", []), b.get("items", []))
        if fields or items:
            out.append(
                UnitChange(
                    unit=name,
                    tier=str(b.get("tier", "")),
                    tier_label=str(b.get("tier_label", b.get("tier", ""))),
                    change="changed",
                    fields=fields,
                    items=items,
                )
            )
    out.extend(_whole(a, "removed") for name, a in before.items() if name not in after)
    return tuple(out)


def _whole(u: Mapping[str, Any], change: str) -> UnitChange:
    shown = {k: (None, u.get(k)) if change == "added" else (u.get(k), None) for k in UNIT_FIELDS}
    return UnitChange(
        unit=str(u["unit"]),
        tier=str(u.get("tier", "")),
        tier_label=str(u.get("tier_label", u.get("tier", ""))),
        change=change,
        fields=shown,
    )


def _items(old: list[Any], new: list[Any]) -> tuple[ItemChange, ...]:
    before = {str(i.get("no")): i for i in old if isinstance(i, dict)}
    after = {str(i.get("no")): i for i in new if isinstance(i, dict)}
    out = []
    for no in [*after, *(n for n in before if n not in after)]:
        a, b = before.get(no), after.get(no)
        if (
            a is not None
            and b is not None
            and (a.get("verified") == b.get("verified") and a.get("source") == b.get("source"))
        ):
            continue
        either = b if b is not None else a
        assert either is not None
        out.append(
            ItemChange(
                no=no,
                short=str(either.get("short") or either.get("text", ""))[:20],
                before=a.get("verified") if a else None,
                after=b.get("verified") if b else None,
                before_source=str(a.get("source", "")) if a else "",
                after_source=str(b.get("source", "")) if b else "",
                before_explanation=str(a.get("explanation", "")) if a else "",
                after_explanation=str(b.get("explanation", "")) if b else "",
                change="changed" if a and b else ("added" if b else "removed"),
            )
        )
    return tuple(out)
