"""``slots.builder``: a frozen slotted dataclass made from its field values equals the one its
``__init__`` makes, and a class or field list it cannot make is refused when the maker is
built, not when a value is made."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

import pytest

from flowscore.findings import Finding, Level
from flowscore.inputs.records import InputFile, Inputs, Value
from flowscore.results import ItemResult
from flowscore.slots import builder


def test_made_objects_equal_what_init_makes():
    f = InputFile(path="a.xlsx", kind="annex", unit="甲镇", sheets=("评分表",), size=3)
    names = [x.name for x in fields(InputFile)]
    made = builder(InputFile, names)([getattr(f, n) for n in names])
    assert made == f and type(made) is InputFile and repr(made) == repr(f)
    reordered = list(reversed(names))  # any order of the fields, each once
    assert builder(InputFile, reordered)([getattr(f, n) for n in reordered]) == f


def test_made_objects_stay_frozen():
    names = [x.name for x in fields(Value)]
    v = builder(Value, names)([Decimal(1), "f", "s", "A1"])
    with pytest.raises(AttributeError):
        v.cell = "B2"  # type: ignore[misc]


@pytest.mark.parametrize(
    "names",
    [["value", "file", "sheet"], ["value", "file", "sheet", "cell", "cell"], ["value", "x"]],
)
def test_every_field_once_or_refused(names):
    with pytest.raises(ValueError):
        builder(Value, names)


def test_a_class_with_post_init_or_without_slots_is_refused():
    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            assert self.a > 0

    @dataclass(frozen=True)
    class Plain:
        a: int

    for kind in (Checked, Plain):
        with pytest.raises(ValueError):
            builder(kind, ["a"])


def test_a_value_list_of_the_wrong_length_is_refused():
    make = builder(Finding, [x.name for x in fields(Finding)])
    with pytest.raises(ValueError):
        make(["code", Level.ERROR])


def test_item_results_made_from_values_equal_scored_ones():
    it = ItemResult(
        no=1, short="a", text="b", max=Decimal(5), min=Decimal(0), max_label="5",
        mode="computed", self_score=Decimal(5), entered=None, remark="", verified=Decimal(4),
        computed=Decimal(4), source="computed", explanation="说明",
    )  # fmt: skip
    names = [x.name for x in fields(ItemResult)]
    assert builder(ItemResult, names)([getattr(it, n) for n in names]) == it


def test_merge_copies_a_new_units_values_and_checks_a_known_units():
    """``Inputs.merge``: a unit first seen keeps its values (a copy: the merged batch never
    shares a file's dict); a unit seen before has each value checked against the first."""
    first, second, merged = Inputs(), Inputs(), Inputs()
    first.add_indicator("甲镇", "持证数", Value(value=Decimal(5), file="a", sheet="s", cell="B2"))
    second.add_indicator("甲镇", "持证数", Value(value=Decimal(6), file="b", sheet="s", cell="B2"))
    second.add_indicator("乙镇", "持证数", Value(value=Decimal(7), file="b", sheet="s", cell="B3"))
    merged.merge(first)
    merged.merge(second)
    assert merged.indicators["甲镇"]["持证数"].value == Decimal(5)  # the first value stays
    assert merged.indicators["乙镇"]["持证数"].value == Decimal(7)
    assert merged.indicators["甲镇"] is not first.indicators["甲镇"]
    assert [f.code for f in merged.findings] == ["conflicting-indicator"]
    assert merged.findings[0].cell == "B2" and merged.findings[0].file == "b"
