"""The score memo (``scoring/memo.py``): a unit whose inputs are as a previous run's takes that
run's result, exactly; a unit whose inputs changed, and only it, is scored again; a bad memo
file costs only speed."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

import pytest

from flowscore.compute import compute_folder
from flowscore.inputs import cache as rc
from flowscore.inputs.folder import list_folder, read_listing
from flowscore.rubric import load_rubric
from flowscore.scoring import memo as sm
from flowscore.scoring import score
from flowscore.scoring.batch import _unit_head
from flowscore.writers.results_json import json_text, result_to_dict

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
sys.path.insert(0, str(ROOT / "scripts"))

import make_bad_inputs as bad  # noqa: E402
from samples import SAMPLE_RUBRICS  # noqa: E402


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    place = tmp_path / "cache"
    monkeypatch.setenv("FLOWSCORE_CACHE_DIR", str(place))
    return place


def _memo_files(place: Path) -> list[Path]:
    return sorted(place.glob("scores-*.bin")) if place.exists() else []


def _scored(folder: Path, scheme, memo: sm.ScoreMemo | None):
    inputs = read_listing(list_folder(folder), scheme)
    return score(scheme, inputs, memo=memo)


@pytest.mark.parametrize("sample", sorted(SAMPLE_RUBRICS))
def test_every_unit_unpacks_as_it_was_scored(sample):
    """Packed and unpacked, every unit of the samples (register notes, bonus and penalty
    entries, categories, pending items, missing units) is the same to the digit: ``repr``
    tells 5 from 5.00."""
    scheme, _ = load_rubric(SAMPLE_RUBRICS[sample])
    result = _scored(SAMPLES / sample, scheme, None)
    codec = sm._Codec()
    kept = 0
    for u in result.units:
        unit = next(x for x in scheme.units if x.name == u.unit)
        sheet = scheme.sheet(unit.sheet)
        plain = u.__class__(**{**{f: getattr(u, f) for f in u.__slots__}, "rank": None})
        findings = result.report.for_unit(u.unit)
        packed = codec.pack(plain, sheet, findings)
        assert packed is not None
        packed = marshal.loads(marshal.dumps(packed))  # as the file gives it back
        got, found = sm._Codec().unpack(
            packed, _unit_head(unit, scheme.tier(unit.tier), sheet), sheet
        )
        assert repr(got) == repr(plain)
        assert found == findings
        kept += 1
    assert kept == len(scheme.units)


@pytest.mark.parametrize("sample", sorted(SAMPLE_RUBRICS))
def test_units_unpacked_by_one_codec_share_equal_item_results_only(sample):
    """One codec unpacks a whole rerun: an item result that came out the same for two units
    is one object (they are frozen), and every unit is still as it was scored."""
    scheme, _ = load_rubric(SAMPLE_RUBRICS[sample])
    result = _scored(SAMPLES / sample, scheme, None)
    packer, codec = sm._Codec(), sm._Codec()
    got = []
    for u in result.units:
        unit = next(x for x in scheme.units if x.name == u.unit)
        sheet = scheme.sheet(unit.sheet)
        plain = u.__class__(**{**{f: getattr(u, f) for f in u.__slots__}, "rank": None})
        packed = marshal.loads(marshal.dumps(packer.pack(plain, sheet, ())))
        unpacked, _ = codec.unpack(packed, _unit_head(unit, scheme.tier(unit.tier), sheet), sheet)
        assert repr(unpacked) == repr(plain)
        got.append(unpacked)
    items = [it for u in got for it in u.items]
    by_text: dict[str, object] = {}
    for it in items:
        same = by_text.setdefault(repr(it), it)
        assert same is it  # equal (to the digit: repr) → one object
    assert len({id(it) for it in items}) == len(by_text)  # and different ones stay apart


@pytest.mark.parametrize("sample", sorted(SAMPLE_RUBRICS))
def test_a_rerun_takes_every_unit_and_gives_the_same_result(sample, cache_dir):
    folder = SAMPLES / sample
    rubric = SAMPLE_RUBRICS[sample]
    scheme, _ = load_rubric(rubric)
    plain = _scored(folder, scheme, None)
    first = sm.ScoreMemo.open(folder, scheme)
    assert first is not None and first.hits == 0
    filled = _scored(folder, scheme, first)
    first.save()
    again = sm.ScoreMemo.open(folder, scheme)
    assert again is not None
    taken = _scored(folder, scheme, again)
    assert again.hits == len(scheme.units)
    for got in (filled, taken):
        assert repr(got.units) == repr(plain.units)
        assert got.report.in_order() == plain.report.in_order()
    assert len(_memo_files(cache_dir)) == 1


def _two_units(folder: Path, verified: float) -> None:
    bad.make_good(folder)
    bad.other_annex(
        folder / bad.BAD_ANNEX, rows=bad.town_rows(verified=(None, None, None, verified, 4, 5))
    )


def _text(folder: Path, **kw) -> str:
    return json_text(result_to_dict(compute_folder(folder, rubric="haishu-2019", **kw)))


def test_a_changed_sheet_is_scored_again_and_only_it(cache_dir, tmp_path, scored_here):
    folder = tmp_path / "in"
    _two_units(folder, 12)
    _text(folder, cache=True)
    _two_units(folder, 11)  # 西门街道 item 4: 12 → 11
    scored_here.clear()
    got = _text(folder, cache=True)
    assert scored_here == [bad.OTHER]  # the other units (月湖街道, the missing ones) from the memo
    assert got == _text(folder)  # the same as without any cache
    assert '"verified": "11' in got or '"verified": 11' in got


def test_a_changed_indicator_rescores_the_units_its_ranking_moves(cache_dir, tmp_path):
    """An indicator of one unit changes what the ranking parts give others: their inputs
    (what the ranking prepared for them) change too, so they are scored again."""
    folder = tmp_path / "in"
    _two_units(folder, 12)
    _text(folder, cache=True)
    bad.indicator_book(
        folder / bad.INDICATORS, bad.indicator_rows(年度新增参加量化积分人数=10**6)
    )  # 西门街道 now first
    assert _text(folder, cache=True) == _text(folder)


HOSTILE = ["truncated", "flipped", "forged-shape", "forged-entries", "forged-item"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_bad_memo_file_costs_only_speed(kind, cache_dir, tmp_path):
    folder = tmp_path / "in"
    _two_units(folder, 12)
    plain = _text(folder)
    _text(folder, cache=True)
    (path,) = _memo_files(cache_dir)
    data = path.read_bytes()
    key = (cache_dir / "key").read_bytes()

    def forge(content: object) -> bytes:
        import hashlib

        payload = marshal.dumps(content)
        mac = hashlib.blake2b(payload, key=key, digest_size=32).digest()
        return rc._HEADER.pack(rc.MAGIC, rc.FORMAT, mac, len(payload)) + payload

    salt, where, entries = marshal.loads(data[rc._HEADER.size :])
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "flipped":
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        path.write_bytes(bytes(b))
    elif kind == "forged-shape":
        path.write_bytes(forge([1, 2]))
    elif kind == "forged-entries":  # authentic, yet entries of another shape
        path.write_bytes(forge((salt, where, {k: ((1,), ()) for k in entries})))
    else:  # an item that does not unpack (too few fields)
        broken = {}
        for k, (unit, found) in entries.items():
            unit = list(unit)
            unit[sm._U_ITEMS] = tuple(i[:2] for i in unit[sm._U_ITEMS])
            broken[k] = (tuple(unit), found)
        path.write_bytes(forge((salt, where, broken)))
    assert _text(folder, cache=True) == plain
    assert _text(folder, cache=True) == plain  # rebuilt, and sound


def test_a_result_not_copied_from_its_item_is_not_kept():
    """``pack`` keeps only results whose rubric fields are their item's own objects: anything
    else (never made by scoring today) is scored every time rather than kept wrong."""
    scheme, _ = load_rubric("haishu-2019")
    result = _scored(SAMPLES / "haishu-2019", scheme, None)
    u = next(u for u in result.units if u.items)
    sheet = scheme.sheet(u.sheet)
    from dataclasses import replace

    odd = replace(u, rank=None, items=(replace(u.items[0], text="别的文字"), *u.items[1:]))
    assert sm._Codec().pack(odd, sheet, []) is None
    assert sm._Codec().pack(replace(u, rank=None), sheet, []) is not None
    assert sm._Codec().pack(u, sheet, []) is None  # ranked: not what scoring a unit gives


def test_no_cache_writes_no_memo(cache_dir, tmp_path):
    folder = tmp_path / "in"
    _two_units(folder, 12)
    _text(folder)
    assert not _memo_files(cache_dir)
    _text(folder, cache=True)
    assert len(_memo_files(cache_dir)) == 1


def test_unit_inputs_are_all_a_unit_is_scored_from():
    """``_score_unit`` reads the batch only through its ``UnitInputs`` (and the rubric, the
    points tables and the shared-values table): the memo's key covers what it depends on."""
    import ast
    import inspect

    from flowscore.scoring import batch

    tree = ast.parse(inspect.getsource(batch._score_unit))
    used = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "b"
    }
    assert used <= {"scheme", "tables", "shared"}  # batch.Basis: what a worker has too


def test_saved_by_a_child_process_as_by_this_one(cache_dir, monkeypatch):
    """Where ``fork`` is, a large batch's memo is packed and written by a child (the parent's
    heap stays as it was): the next run takes every unit from it all the same."""
    from flowscore.parallel import can_fork

    if not can_fork():  # pragma: no cover - Windows, macOS
        pytest.skip("fork is not this platform's start method")
    monkeypatch.setattr(sm, "FORK_FROM", 1)
    folder = SAMPLES / "haishu-2019"
    scheme, _ = load_rubric("haishu-2019")
    first = sm.ScoreMemo.open(folder, scheme)
    plain = _scored(folder, scheme, first)
    first.save()
    again = sm.ScoreMemo.open(folder, scheme)
    got = _scored(folder, scheme, again)
    assert again.hits == len(scheme.units)
    assert repr(got.units) == repr(plain.units)
