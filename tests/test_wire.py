"""Reading results packed for the trip from a worker process (``wire``) come back equal, for
every file of the three samples and of the bad-input corpus, with every kind of record."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from flowscore.inputs import wire
from flowscore.inputs.folder import discover
from flowscore.inputs.reader import WorkbookReader as SheetReader
from flowscore.inputs.reader import read_file
from flowscore.inputs.records import Inputs
from flowscore.inputs.wire import PackedAnnex, pack, unpack
from flowscore.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "haishu-2019": ROOT / "sample_data" / "haishu-2019",
    "beilun-streets": ROOT / "sample_data" / "beilun",
    "province-2013": ROOT / "sample_data" / "province-2013",
}


def _read_all(folder: Path, rubric: str) -> list[Inputs]:
    scheme, _ = load_rubric(rubric)
    reader = SheetReader(scheme)
    tasks, _notes = discover(folder.resolve())
    return [read_file(Path(path), rel, reader) for path, rel in tasks]


def _corpus(tmp_path: Path) -> list[Inputs]:
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_bad_inputs as bad

    made = []
    for name in bad.CASES:
        try:
            made.append(bad.make_case(name, tmp_path / name))
        except ImportError:  # a case needing a dev extra that is not installed
            continue
    return [x for folder in made for x in _read_all(folder, "haishu-2019")]


def test_every_record_comes_back_equal(tmp_path):
    parts = [x for rubric, folder in SAMPLES.items() for x in _read_all(folder, rubric)]
    parts += _corpus(tmp_path)
    for x in parts:
        back = unpack(pack(x))
        # annex sheets come back packed (``PackedAnnex``) and are unpacked when scored
        assert all(type(a) is PackedAnnex for a in back.annexes)
        assert [a.unit for a in back.annexes] == [a.unit for a in x.annexes]
        back.annexes = [a.unpacked() for a in back.annexes]
        assert back == x
    # every kind of record took part, with Decimals and booleans among the values
    assert all(any(getattr(x, name) for x in parts) for name in wire._INPUTS)
    values = [v.value for x in parts for vs in x.indicators.values() for v in vs.values()]
    assert any(type(v) is bool for v in values) and any(type(v) is Decimal for v in values)
    entries = [e for x in parts for a in x.annexes for e in a.items.values()]
    assert any(e.entered is not None for e in entries)
    assert any(a.bonus_self is not None for x in parts for a in x.annexes)
    assert any(a.assessor for x in parts for a in x.annexes)  # province: 检查单位 sheets


@pytest.mark.parametrize("text", ["0.6528", "35.00", "-0", "1E+3", "0E-7", "123456789.123456789"])
def test_decimals_keep_digits_and_exponent(text):
    x = Inputs()
    from flowscore.inputs.records import Value

    x.indicators["月湖街道"] = {"n": Value(value=Decimal(text), file="f", sheet="s", cell="B2")}
    back = unpack(pack(x)).indicators["月湖街道"]["n"].value
    assert back.as_tuple() == Decimal(text).as_tuple()


def test_a_value_marshal_cannot_carry_falls_back_to_pickle():
    import datetime as dt

    from flowscore.findings import Finding, Level

    x = Inputs()
    x.findings.append(Finding(code="c", level=Level.INFO, message="m"))
    x.indicator_sources["月湖街道"] = ("f.xlsx", dt.date(2019, 12, 31), 3)  # not marshallable
    data = pack(x)
    assert data[:1] == b"P"
    assert unpack(data) == x
    assert pack(Inputs())[:1] == b"M"
