"""The fast, streaming results.json writer against the original one: the same bytes.

``_reference_text`` is the writer as it was (``json.dumps`` per string, the whole text built in
memory), kept here as the oracle. The sample years and generated nested data (control and
non-BMP characters, negative zero, int and str keys, tuples) must come out identical from
``json_text`` and from ``write_results``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscore.writers.results_json import json_text, load_results, result_to_dict, write_results

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ["haishu-2019", "beilun", "province-2013"]


def _reference_encode(value: Any, indent: str, out: list[str]) -> None:
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
            value = value.copy_abs()
        out.append(format(value, "f"))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
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
            _reference_encode(value[key], inner, out)
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
            _reference_encode(item, inner, out)
        out.append(f"\n{indent}]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _reference_text(data: Any) -> str:
    """json.dumps' text, with the characters flowscore writes as \\u escapes (DEL, C1 controls,
    U+2028/2029 and surrogates: unsafe on a terminal or in UTF-8) escaped the same way."""
    out: list[str] = []
    _reference_encode(data, "", out)
    out.append("\n")
    text = "".join(out)
    return "".join(
        f"\\u{ord(c):04x}"
        if 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" or 0xD800 <= ord(c) <= 0xDFFF
        else c
        for c in text
    )


@pytest.fixture(scope="module", params=SAMPLES)
def sample_result(request, scored_sample):
    return scored_sample(request.param)


def test_sample_results_are_byte_identical(sample_result, tmp_path):
    expected = _reference_text(result_to_dict(sample_result)).encode("utf-8")
    assert json_text(result_to_dict(sample_result)).encode("utf-8") == expected
    path = tmp_path / "results.json"
    write_results(sample_result, path)
    assert path.read_bytes() == expected
    assert load_results(path)["units"]  # and it reads back


def test_streaming_flushes_in_pieces(sample_result, tmp_path, monkeypatch):
    """Many small flushes (one per unit or entry) still make the same file."""
    from flowscore.writers import results_json

    monkeypatch.setattr(results_json, "_CHUNKS", 1)
    path = tmp_path / "results.json"
    write_results(sample_result, path)
    assert path.read_bytes() == _reference_text(result_to_dict(sample_result)).encode("utf-8")


# Text with the characters JSON escapes (controls, quote, backslash), the ones it does not
# (DEL, U+2028, CJK) and non-BMP characters; lone surrogates excluded (not valid UTF-8).
_text = st.text(
    st.one_of(
        st.characters(max_codepoint=0x3F),
        st.sampled_from(['"', "\\", "/", "\x7f", "\u2028", "\u2029", "\ufeff", "中", "é"]),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=12,
)
_decimal = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            Decimal("-0.00"),
            Decimal("-0"),
            Decimal("35.00"),
            Decimal("1E+3"),
            Decimal("1E-9"),
            Decimal("0.6528"),
        ]
    ),
)
_scalar = st.one_of(_text, _decimal, st.integers(), st.booleans(), st.none())
_data = st.recursive(
    _scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(_text, children, max_size=5),
        st.dictionaries(st.integers(-50, 50), children, max_size=4),
        st.dictionaries(st.one_of(st.integers(-3, 3), st.booleans(), _text), children, max_size=4),
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_data)
def test_generated_data_is_byte_identical(data):
    assert json_text(data) == _reference_text(data)
    assert json_text(data).encode("utf-8") == _reference_text(data).encode("utf-8")


@pytest.mark.parametrize(
    "bad",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("-Infinity"),
        0.1,
        object(),
        {"a": [1.5]},
        {"a": Decimal("NaN")},
        {"a": {"b": float("inf")}},
    ],
)
def test_refusals_unchanged(bad):
    with pytest.raises((ValueError, TypeError)) as new:
        json_text(bad)
    with pytest.raises((ValueError, TypeError)) as old:
        _reference_text(bad)
    assert type(new.value) is type(old.value) and str(new.value) == str(old.value)
