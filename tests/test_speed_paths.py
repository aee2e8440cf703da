"""The shortcuts taken for speed (issue #5) give exactly what the plain path gives: the summary
workbook written by a forked child, custom properties read by a pattern, rates built from
integer ratios."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from batches import make_batch
from hypothesis import given
from hypothesis import strategies as st

import flowscore.writers as writers
from flowscore.errors import OutputError
from flowscore.inputs.open.props import _parse_props_xml, parse_custom_props
from flowscore.parallel import can_fork
from flowscore.rules import ratio
from flowscore.writers import Choices, summary_xlsx, write_outputs

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this platform")


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@needs_fork
@pytest.mark.parametrize("unit_reports", [True, False])
def test_forked_writing_gives_the_same_files(tmp_path, monkeypatch, unit_reports):
    batch = make_batch()
    monkeypatch.setattr(writers, "FORK_FROM", 10**9)
    choices = Choices(unit_feedback=unit_reports, text=True)
    plain = write_outputs(batch, out_dir=tmp_path / "plain", force=False, choices=choices).paths
    monkeypatch.setattr(writers, "FORK_FROM", 1)
    forked = write_outputs(batch, out_dir=tmp_path / "forked", force=False, choices=choices).paths
    assert [p.relative_to(tmp_path / "plain") for p in plain] == [
        p.relative_to(tmp_path / "forked") for p in forked
    ]
    assert _tree(tmp_path / "plain") == _tree(tmp_path / "forked")
    assert any(p.suffix == ".txt" for p in forked) is unit_reports
    assert any(p.parent.name == "反馈单" for p in forked) is unit_reports


@needs_fork
def test_a_failing_child_fails_the_run_and_writes_nothing(tmp_path, monkeypatch):
    def disk_full(result, path, **kw):
        raise OutputError("磁盘已满", hint="清理磁盘后重试")

    monkeypatch.setattr(writers, "FORK_FROM", 1)
    monkeypatch.setattr(summary_xlsx, "write_summary", disk_full)
    with pytest.raises(OutputError) as info:
        write_outputs(make_batch(), out_dir=tmp_path / "out", force=False)
    assert info.value.message == "磁盘已满"
    assert info.value.hint == "清理磁盘后重试"
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # no half-built folder left beside it


@needs_fork
def test_a_bug_in_the_child_keeps_its_traceback(tmp_path, monkeypatch):
    def bug(result, path, **kw):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(writers, "FORK_FROM", 1)
    monkeypatch.setattr(summary_xlsx, "write_summary", bug)
    with pytest.raises(ZeroDivisionError) as info:
        write_outputs(make_batch(), out_dir=tmp_path / "out", force=False)
    assert any("in bug" in note for note in info.value.__notes__)


# ---------------------------------------------------------------------------------------------
# custom document properties

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
)


def _props(*bodies: str) -> bytes:
    return (_HEAD + "".join(bodies) + "</Properties>").encode()


def _prop(name: str, value: str, *, kind: str = "lpwstr", quote: str = '"', pid: int = 2) -> str:
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    return (
        f"<property fmtid={quote}{fmtid}{quote} pid={quote}{pid}{quote} "
        f"name={quote}{name}{quote}><vt:{kind}>{value}</vt:{kind}></property>"
    )


@pytest.mark.parametrize(
    "data",
    [
        _props(_prop("flowscore.unit", "月湖街道"), _prop("flowscore.scheme", "haishu-2019")),
        _props(_prop("flowscore.unit", "A&amp;B")),  # an entity: the parser decodes it
        _props(_prop("flowscore.unit", "月湖街道", quote="'")),
        _props(_prop("flowscore.unit", "")),  # empty: no value
        _props(_prop("flowscore.unit", "<![CDATA[月湖街道]]>")),
        _props("\n  ", _prop("flowscore.unit", "月湖街道"), "\n"),
        _props(_prop("flowscore.unit", "5", kind="i4")),
        _props(),
        b"<Properties><op:property name='x'><vt:lpwstr>y</vt:lpwstr></op:property></Properties>",
        b"not xml at all",
        "月湖".encode("gbk"),  # not UTF-8
    ],
)
def test_props_pattern_reads_what_the_parser_reads(data):
    assert parse_custom_props(data) == _parse_props_xml(data)


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12),
            st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12),
        ),
        max_size=4,
    )
)
def test_props_pattern_matches_the_parser_on_any_text(pairs):
    from xml.sax.saxutils import escape, quoteattr

    bodies = [
        f'<property fmtid="{{X}}" pid="{i + 2}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for i, (name, value) in enumerate(pairs)
    ]
    data = _props(*bodies)
    assert parse_custom_props(data) == _parse_props_xml(data)


# ---------------------------------------------------------------------------------------------
# rates

decimals = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False
)


@given(decimals, decimals)
def test_ratio_is_the_exact_quotient(num, den):
    got = ratio({"a": num, "b": den}, "a", "b")
    if den == 0:
        assert got == "“b”为0，无法计算比率"
    else:
        assert got == Fraction(num) / Fraction(den)
        assert isinstance(got, Fraction)


@needs_fork
def test_a_child_that_dies_is_a_chinese_error(tmp_path, monkeypatch):
    import os

    from flowscore.errors import FlowscoreError

    def killed(result, path, **kw):
        os._exit(9)  # as if the system killed it: no word back

    monkeypatch.setattr(writers, "FORK_FROM", 1)
    monkeypatch.setattr(summary_xlsx, "write_summary", killed)
    with pytest.raises(FlowscoreError) as info:
        write_outputs(make_batch(), out_dir=tmp_path / "out", force=False)
    assert info.value.message == "后台写出进程意外退出（退出码 9），输出未写出"
    assert not (tmp_path / "out").exists()


def test_props_with_an_empty_name_are_left_to_the_parser():
    data = _props(_prop("", "x"), _prop("flowscore.unit", "月湖街道", pid=3))
    assert parse_custom_props(data) == _parse_props_xml(data) == {"flowscore.unit": "月湖街道"}


@needs_fork
def test_a_failing_parent_stops_the_child_and_writes_nothing(tmp_path, monkeypatch):
    import multiprocessing

    from flowscore.writers import results_json

    def disk_full(result, path, **kw):
        raise OutputError("磁盘已满")

    monkeypatch.setattr(writers, "FORK_FROM", 1)
    monkeypatch.setattr(results_json, "write_results", disk_full)
    with pytest.raises(OutputError):
        write_outputs(make_batch(), out_dir=tmp_path / "out", force=False)
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []  # the child was stopped and reaped


def test_jobs_1_writes_in_one_process(tmp_path, monkeypatch):
    import flowscore.parallel as parallel

    def no_fork(*args, **kwargs):
        raise AssertionError("forked although jobs=1")

    monkeypatch.setattr(writers, "FORK_FROM", 1)
    monkeypatch.setattr(parallel, "Forked", no_fork)
    written = write_outputs(make_batch(), out_dir=tmp_path / "out", force=False, jobs=1)
    assert (tmp_path / "out" / "考核汇总.xlsx") in written.paths


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None) | st.sampled_from(
    [Decimal("5"), Decimal("5.0"), Decimal("5.00"), Decimal("-0"), Decimal("0"), Decimal("0E+2")]
)


@given(st.lists(decimals | st.text(max_size=4), max_size=30))
def test_shared_values_are_the_values_with_their_digits(values):
    """One object per value across a batch (memory, issue 17): what comes back prints and
    compares as what went in, so 5 and 5.00 stay apart."""
    from flowscore.scoring.item import shared_value

    table: dict = {}
    for v in values:
        got = shared_value(table, v)
        assert type(got) is type(v) and str(got) == str(v) and got == v
    assert shared_value(table, None) is None
    first = shared_value(table, Decimal("1.50"))
    assert shared_value(table, Decimal("1.50")) is first


# openpyxl's shape (every template flowscore writes): xmlns:vt on each value, no XML declaration
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_OWN_HEAD = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
)


def _own_prop(name: str, value: str, *, pid: int = 2, kind: str = "lpwstr", close: str = "") -> str:
    return (
        f'<property name="{name}" fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}">'
        f'<vt:{kind} xmlns:vt="{_VT}">{value}</vt:{close or kind}></property>'
    )


def _own(*bodies: str, head: str = _OWN_HEAD, tail: str = "</Properties>") -> bytes:
    return (head + "".join(bodies) + tail).encode()


_OWN_GOOD = _own(
    _own_prop("flowscore.unit", "第00001镇"), _own_prop("flowscore.scheme", "s", pid=3)
)


def test_openpyxl_props_are_read_by_the_pattern():
    from flowscore.inputs.open.props import _own_props

    expected = {"flowscore.unit": "第00001镇", "flowscore.scheme": "s"}
    assert _own_props(_OWN_GOOD, _OWN_GOOD.decode()) == expected
    assert parse_custom_props(_OWN_GOOD) == _parse_props_xml(_OWN_GOOD) == expected
    declared = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _OWN_GOOD
    assert _own_props(declared, declared.decode()) == expected


@pytest.mark.parametrize(
    "data",
    [
        _OWN_GOOD[:-3],  # the root not closed
        _OWN_GOOD + b"<x/>",  # junk after the root
        _own(_own_prop("a", "1", close="i4")),  # a value closed by another tag
        _own(_own_prop("a", "1").replace("xmlns:vt", "xmlns:wt")),  # vt: unbound
        _own(_own_prop("a", "1").replace('name="a"', 'x:name="a"')),  # x: unbound
        _own(_own_prop("a", "1").replace('name="a"', 'xmlns:x="u" x:name="a"')),  # not "name"
        _own(_own_prop("a", "1").replace('name="a"', 'name="a" pid="9"')),  # pid twice
        _own(_own_prop("a", "1").replace('name="a"', 'title="b name="')),  # a name in a value
        _own(_own_prop("a\tb", "1")),  # a tab: XML reads it as a space
        _own(_own_prop("a", "x\r\ny")),  # \r\n: XML reads it as \n
        _own(_own_prop("a", "1"), "<other/>"),  # another child of the root
        _own(_own_prop("a", "1"), '<other name="b"><vt:i4 xmlns:vt="x">2</vt:i4></other>'),
        _own(_own_prop("", "1"), _own_prop("b", "2", pid=3)),  # no name: skipped
        _own(_own_prop("a", "1"), _own_prop("a", "2", pid=3)),  # a name twice: the last
        _own_prop("a", "1").encode(),  # a property as the root
        b'<?xml version="1.0" encoding="ISO-8859-1"?>' + _OWN_GOOD,  # not read as UTF-8
        b'<?xml version="1.0"?><?pi x?>' + _OWN_GOOD,
        "\ufeff".encode() + _OWN_GOOD,  # a BOM
        _own(_own_prop("a", "\x01")),  # not an XML character
        _own(_own_prop("a", "1"), head="<Properties>\x0c"),
    ],
)
def test_openpyxl_props_pattern_reads_what_the_parser_reads(data):
    assert parse_custom_props(data) == _parse_props_xml(data)


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12),
            st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12),
        ),
        max_size=4,
    ),
    st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']),
)
def test_openpyxl_props_pattern_matches_the_parser_on_any_text(pairs, decl):
    from xml.sax.saxutils import escape, quoteattr

    bodies = [
        f'<property fmtid="{{X}}" pid="{i + 2}" name={quoteattr(name)}>'
        f'<vt:lpwstr xmlns:vt="{_VT}">{escape(value)}</vt:lpwstr></property>'
        for i, (name, value) in enumerate(pairs)
    ]
    data = decl.encode() + _own(*bodies)
    assert parse_custom_props(data) == _parse_props_xml(data)
