"""results.json through msgspec (``results_json.write_results``) against the writer it
replaced (``_encode_all``, kept as the exact path and for ``json_text``): the same bytes on the
samples, the hand-made batch, a batch with awkward values (numbers msgspec would write with an
exponent or a negative zero, DEL, C1 controls, U+2028, a lone surrogate, empty lists), and on
generated data with text keys."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from batches import make_batch
from hypothesis import given, settings
from hypothesis import strategies as st

from flowscore.writers import results_json
from flowscore.writers.results_json import json_text, result_to_dict, write_results


def _old(result) -> bytes:
    return json_text(result_to_dict(result)).encode("utf-8")


@pytest.mark.parametrize("sample", ["haishu-2019", "beilun", "province-2013"])
def test_samples_byte_identical(sample, scored_sample, tmp_path):
    result = scored_sample(sample)
    write_results(result, tmp_path / "r.json")
    assert (tmp_path / "r.json").read_bytes() == _old(result)


def _awkward():
    batch = make_batch()
    units = []
    for n, u in enumerate(batch.units):
        items = tuple(
            dataclasses.replace(
                it,
                explanation=it.explanation + "\x7f\x85\u2028\u2029" + ("\udc80" if n == 1 else ""),
                remark='备注\t\n"引号"\\',
                self_score=Decimal("1E+1") if i == 0 else it.self_score,
                entered=Decimal("-0.00") if i == 1 else it.entered,
                computed=Decimal("1E-9") if i == 2 else it.computed,
            )
            for i, it in enumerate(u.items)
        )
        units.append(dataclasses.replace(u, items=items))
    return dataclasses.replace(batch, units=tuple(units), indicators=())


def test_awkward_values_byte_identical(tmp_path):
    for result in (make_batch(), _awkward()):
        write_results(result, tmp_path / "r.json")
        assert (tmp_path / "r.json").read_bytes() == _old(result)


_text = st.text(
    st.one_of(
        st.characters(max_codepoint=0x3F),
        st.sampled_from(['"', "\\", "/", "\x7f", "\x85", "\u2028", "\u2029", "中", "\udc80"]),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
    ),
    max_size=10,
)
_decimal = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("-0.00"), Decimal("-0"), Decimal("1E+3"), Decimal("0E-7")]),
)
_scalar = st.one_of(_text, _decimal, st.integers(), st.booleans(), st.none())
_data = st.recursive(
    _scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(_text, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_data)
def test_element_is_json_text(data):
    assert results_json._element(data) + b"\n" == json_text(data).encode("utf-8")
