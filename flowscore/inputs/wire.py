"""One file's reading results sent from a worker process as plain data.

pickle sends a frozen dataclass as its class plus a state that is set field by field in Python
on arrival: ~50 µs a sheet to pack and as much to unpack, and the unpacking happens in the main
process, which the workers compete with. The records hold only text, numbers, Decimals, tuples
and dicts, so they travel as tuples through ``marshal``: ~11 µs to pack and ~20 µs to unpack a
sheet. Decimals travel as their exact text in bytes (``str(Decimal)`` gives back the same
digits and exponent): no field value is otherwise bytes, so ``_in`` reads bytes as a Decimal
(an annex sheet's packed items are bytes too, but are never passed through ``_in``).

An annex sheet's items stay in their bytes on arrival (``PackedAnnex``): scoring unpacks one
unit's at a time, so the main process never holds every sheet's item records as objects.

Each record's fields are listed once below and checked against the dataclass when this module
loads, so a field added to a record cannot be silently dropped on the way.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from flowscore.findings import Finding, Level
from flowscore.inputs.records import (
    AnnexSheet,
    InputFile,
    Inputs,
    ItemEntry,
    RankRow,
    RawEntry,
    RegisterEntry,
    Value,
)
from flowscore.slots import builder


@dataclass(frozen=True, kw_only=True, slots=True)
class PackedAnnex:
    """An annex sheet as it arrives from a worker process: who and where, with the rest still
    in ``wire``'s bytes (~400 bytes against ~3 KB of objects). Scoring unpacks one unit at a
    time and lets it go, so a province's item records are never all in memory at once."""

    unit: str
    sheet_id: str
    file: str
    sheet: str
    scheme_id: str
    assessor: str
    data: bytes

    def unpacked(self) -> AnnexSheet:
        return unpack_annex(self)


_ITEM = (
    "no",
    "self_score",
    "entered",
    "remark",
    "row",
    "self_cell",
    "verified_cell",
    "assessor",
    "verified_text",
    "verified_merged",
)
_ANNEX = (
    "unit",
    "sheet_id",
    "file",
    "sheet",
    "items",
    "scheme_id",
    "assessor",
    "conflicts",
    "bonus_self",
    "penalty_self",
)
_INPUTS = (
    "annexes",
    "indicators",
    "indicator_sources",
    "entries",
    "ranking",
    "files",
    "findings",
    "saw_indicator_sheet",
    "saw_ranking_sheet",
    "register",
)
_VALUE = ("value", "file", "sheet", "cell")


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


for _cls, _listed in (
    (ItemEntry, _ITEM),
    (AnnexSheet, _ANNEX),
    (Inputs, _INPUTS),
    (Value, _VALUE),
):
    if _names(_cls) != _listed:  # pragma: no cover - caught by the first test run
        raise RuntimeError(f"flowscore.wire: update the field list of {_cls.__name__}")
_ENTRY = _names(RawEntry)
_RANK = _names(RankRow)
_FILE = _names(InputFile)
_REGISTER = _names(RegisterEntry)
_FINDING = _names(Finding)
# one file's records unpacked without keyword dictionaries (``slots``: a rerun unpacks every
# file's from the read cache)
_MAKERS: dict[type, Callable[[Sequence[Any]], Any]] = {
    cls: builder(cls, names)
    for cls, names in (
        (RawEntry, _ENTRY),
        (RankRow, _RANK),
        (InputFile, _FILE),
        (RegisterEntry, _REGISTER),
    )
}


def _out(v: Any) -> Any:
    t = type(v)
    if t is Decimal:
        return str(v).encode("ascii")
    if t is Level:
        return v.value
    return v


def _in(v: Any) -> Any:
    return Decimal(v.decode("ascii")) if type(v) is bytes else v


def _record(obj: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(_out(getattr(obj, n)) for n in names)


def _build(cls: type, names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    return _MAKERS[cls]([_in(v) for v in values])


def _value(value: Any, file: str, sheet: str, cell: str) -> Value:
    # Spelled out rather than through _record/_build: an indicator workbook of a province has
    # 100,000 values, and the generic way costs three times as much each way.
    return Value(value=_in(value), file=file, sheet=sheet, cell=cell)


def pack(inputs: Inputs) -> bytes:
    """``inputs`` as bytes for ``unpack``: marshalled tuples (``M``), or, should a record ever
    hold a value marshal cannot carry, the pickled Inputs (``P``) rather than a failed batch."""
    try:
        return b"M" + _marshalled(inputs)
    except ValueError:
        import pickle

        return b"P" + pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)


def _marshalled(inputs: Inputs) -> bytes:
    annexes = [
        (
            a.unit,
            a.sheet_id,
            a.file,
            a.sheet,
            a.scheme_id,
            a.assessor,
            marshal.dumps(
                (
                    [
                        (
                            e.no,
                            _out(e.self_score),
                            _out(e.entered),
                            e.remark,
                            e.row,
                            e.self_cell,
                            e.verified_cell,
                            e.assessor,
                            e.verified_text,
                            e.verified_merged,
                        )
                        for e in a.items.values()
                    ],
                    a.conflicts,
                    _out(a.bonus_self),
                    _out(a.penalty_self),
                )
            ),
        )
        for a in (x.unpacked() for x in inputs.annexes)
    ]
    indicators = {
        unit: {name: (_out(v.value), v.file, v.sheet, v.cell) for name, v in values.items()}
        for unit, values in inputs.indicators.items()
    }
    return marshal.dumps(
        (
            annexes,
            indicators,
            inputs.indicator_sources,
            [_record(e, _ENTRY) for e in inputs.entries],
            {unit: _record(r, _RANK) for unit, r in inputs.ranking.items()},
            [_record(f, _FILE) for f in inputs.files],
            [finding_tuple(f) for f in inputs.findings],
            inputs.saw_indicator_sheet,
            inputs.saw_ranking_sheet,
            [_record(r, _REGISTER) for r in inputs.register],
        )
    )


def unpack(data: bytes) -> Inputs:
    """The Inputs ``pack`` was given."""
    if data[:1] == b"P":
        import pickle

        inputs: Inputs = pickle.loads(data[1:])
        return inputs
    (
        annexes,
        indicators,
        sources,
        entries,
        ranking,
        files,
        findings,
        saw_ind,
        saw_rank,
        register,
    ) = marshal.loads(data[1:])
    return Inputs(
        annexes=[_packed_annex(*a) for a in annexes],
        indicators={
            unit: {name: _value(*v) for name, v in values.items()}
            for unit, values in indicators.items()
        },
        indicator_sources=sources,
        entries=[_build(RawEntry, _ENTRY, e) for e in entries],
        ranking={unit: _build(RankRow, _RANK, r) for unit, r in ranking.items()},
        files=[_build(InputFile, _FILE, f) for f in files],
        findings=[finding_of(f) for f in findings],
        saw_indicator_sheet=saw_ind,
        saw_ranking_sheet=saw_rank,
        register=[_build(RegisterEntry, _REGISTER, r) for r in register],
    )


def _packed_annex(
    unit: str, sheet_id: str, file: str, sheet: str, scheme_id: str, assessor: str, data: bytes
) -> PackedAnnex:
    return PackedAnnex(
        unit=unit,
        sheet_id=sheet_id,
        file=file,
        sheet=sheet,
        scheme_id=scheme_id,
        assessor=assessor,
        data=data,
    )


def unpack_annex(p: PackedAnnex) -> AnnexSheet:
    """The annex sheet a ``PackedAnnex`` stands for (its items are built here, when scored)."""
    items, conflicts, bonus_self, penalty_self = marshal.loads(p.data)
    return AnnexSheet(
        unit=p.unit,
        sheet_id=p.sheet_id,
        file=p.file,
        sheet=p.sheet,
        items={t[0]: _item(*t) for t in items},
        scheme_id=p.scheme_id,
        assessor=p.assessor,
        conflicts=conflicts,
        bonus_self=_in(bonus_self),
        penalty_self=_in(penalty_self),
    )


def _item(
    no: str,
    self_score: bytes | None,
    entered: bytes | None,
    remark: str,
    row: int,
    self_cell: str,
    verified_cell: str,
    assessor: str,
    verified_text: str,
    verified_merged: str,
) -> ItemEntry:
    return ItemEntry(
        no=no,
        self_score=_in(self_score),
        entered=_in(entered),
        remark=remark,
        row=row,
        self_cell=self_cell,
        verified_cell=verified_cell,
        assessor=assessor,
        verified_text=verified_text,
        verified_merged=verified_merged,
    )


def finding_tuple(f: Finding) -> tuple[Any, ...]:
    """A finding as ``marshal`` takes it (``finding_of`` gives it back)."""
    return _record(f, _FINDING)


def finding_of(values: tuple[Any, ...]) -> Finding:
    f = dict(zip(_FINDING, values, strict=True))
    f["level"] = Level(f["level"])
    return Finding(**f)
