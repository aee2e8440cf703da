"""``results.json``: the whole run as data, for ``--json``, for ``flowscore rank`` and for other
programs.

Numbers are JSON numbers written with their exact decimal text: 0.6528 is written ``0.6528`` and
35.00 ``35.00``, never a binary-float approximation. The standard ``json`` module cannot do that
(it formats floats itself and quotes whatever ``default`` returns), so ``json_text`` is a small
serializer of its own: dicts with sorted keys, two-space indent, UTF-8 text with Chinese as is.
``load_results`` reads numbers back as ``Decimal`` for the same reason.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from flowscore import __version__
from flowscore.contract import RESULTS_NAME
from flowscore.labels import SOURCE_LABELS, STATUS_LABELS
from flowscore.results import (
    BatchResult,
    Entry,
    IndicatorRow,
    ItemResult,
    RegisterNote,
    UnitResult,
)
from flowscore.results_file import FORMAT, FORMAT_VERSION
from flowscore.results_file import load_results as load_results  # still read from here too

FILE_NAME = RESULTS_NAME


def _item(it: ItemResult) -> dict[str, Any]:
    return {
        "no": it.no,
        "short": it.short,
        "text": it.text,
        "category": it.category,
        "max": it.max if it.capped else None,
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
        "register": register_note(it.register),
    }


def register_note(note: RegisterNote | None) -> dict[str, Any] | None:
    """An item's entry in the assessor's register (核定登记表): who, when, why, what it
    replaced and whether it was used; None when the register has none for it."""
    if note is None:
        return None
    return {
        "score": note.score,
        "who": note.who,
        "date": note.date,
        "reason": note.reason,
        "file": note.file,
        "sheet": note.sheet,
        "row": note.row,
        "cell": note.cell,
        "used": note.used,
        "before": note.before,
        "before_source": note.before_source,
    }


def manifest(result: BatchResult) -> dict[str, Any]:
    """What the run was made from: flowscore's version, the rubric's id and content hash and
    every file read with its size and content hash (no clock time: a rerun is the same)."""
    return {
        "flowscore_version": __version__,
        "rubric": {"id": result.scheme_id, "sha256": result.scheme_digest},
        "inputs": [
            {"path": f.path, "size": f.size if f.size >= 0 else None, "sha256": f.sha256 or None}
            for f in result.inputs
        ],
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
    out: list[dict[str, Any]] = []
    labels = {t[0]: (t[1], t[2]) for t in result.tiers}
    for u in ordered_units(result):
        if out and out[-1]["id"] == u.tier:
            continue
        units = result.tier_units(u.tier)
        label, base = labels.get(u.tier, (u.tier_label, u.base))
        out.append(
            {
                "id": u.tier,
                "label": label,
                "base": base,
                "units": len(units),
                "ranked": sum(1 for x in units if x.rank is not None),
                "status": {s: sum(1 for x in units if x.status == s) for s in STATUS_LABELS},
                "contribution_sum": sum(
                    (x.contribution for x in units if x.contribution is not None), Decimal(0)
                ),
            }
        )
    return out


class _Each:
    """``fn`` over ``items``, made one at a time as the writer reaches it: ``write_results``
    never holds every unit's (or entry's) dict at once. The writer encodes it as a list."""

    __slots__ = ("fn", "items")

    def __init__(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
        self.fn = fn
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return map(self.fn, self.items)


def _as_list(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    return [fn(x) for x in items]


def _result_data(result: BatchResult, each: Callable[..., Any]) -> dict[str, Any]:
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
        "units": each(_unit, units),
        "indicators": each(_indicator, result.indicators),
        "entries": each(entry_to_dict, entries),
        "inputs": [
            {"path": f.path, "kind": f.kind, "unit": f.unit, "sheets": list(f.sheets)}
            for f in result.inputs
        ],
        "findings": result.report.to_list(),
        "manifest": manifest(result),
        "comparison": result.comparison.to_dict() if result.comparison is not None else None,
        "summary": {
            "findings": result.report.counts(),
            "units": {s: sum(1 for u in units if u.status == s) for s in STATUS_LABELS},
            "units_total": len(units),
        },
    }


def result_to_dict(result: BatchResult) -> dict[str, Any]:
    """The whole run as plain data (numbers as ``Decimal``); ``json_text`` writes it."""
    return _result_data(result, _as_list)


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if value.is_zero():
        value = value.copy_abs()  # no "-0.00"
    # 'f' keeps the exact digits and the scale (35.00 stays 35.00) and never an exponent.
    return format(value, "f")


# Chunks gathered before they are handed to ``flush`` (when streaming to a file).
_CHUNKS = 8192


def _encode_all(data: Any, out: list[str], flush: Callable[[], None] | None = None) -> None:
    """Append the JSON text of ``data`` to ``out`` piece by piece; with ``flush``, call it
    whenever ``out`` has grown past ``_CHUNKS`` pieces (it writes them out and clears ``out``).

    Exact built-in types are dispatched on ``type()`` and scalars inside a container are
    written inline (the bulk of the data); anything else takes ``_encode_other``, the general
    path with ``isinstance`` in the original order. Strings go through the same function
    ``json.dumps(..., ensure_ascii=False)`` uses, so the text is the same byte for byte.
    """
    append = out.append
    esc = encode_basestring
    number = _number
    names: dict[str, str] = {}  # a str key's escaped text and ": ", for the common keys

    def scalar(value: Any) -> str | None:
        t = type(value)
        if t is str:
            return esc(value)
        if t is Decimal:
            return number(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if t is int:
            return str(value)
        return None

    def encode(value: Any, indent: str) -> None:
        text = scalar(value)
        if text is not None:
            append(text)
            return
        t = type(value)
        if t is dict:
            encode_dict(value, indent)
        elif t is list or t is tuple or t is _Each:
            encode_list(value, indent)
        else:
            _encode_other(value, indent, encode, encode_dict, encode_list, append)

    def encode_dict(value: Mapping[Any, Any], indent: str) -> None:
        if not value:
            append("{}")
            return
        inner = indent + "  "
        sep = ",\n" + inner
        lead = "{\n" + inner
        for key in sorted(value, key=str):
            if type(key) is str:
                name = names.get(key)
                if name is None:
                    name = esc(key) + ": "
                    if len(names) < 4096:
                        names[key] = name
            else:
                name = esc(str(key)) + ": "
            item = value[key]
            t = type(item)
            if t is str:
                append(lead + name + esc(item))
            elif t is Decimal and item.is_finite() and item:  # nonzero: no sign to drop
                append(lead + name + format(item, "f"))
            else:
                text = scalar(item)
                if text is not None:
                    append(lead + name + text)
                else:
                    append(lead + name)
                    encode(item, inner)
            lead = sep
        append(f"\n{indent}}}")

    def encode_list(value: Iterable[Any], indent: str) -> None:
        if not len(value):  # type: ignore[arg-type]  # always a list or tuple here
            append("[]")
            return
        inner = indent + "  "
        sep = ",\n" + inner
        lead = "[\n" + inner
        for item in value:
            text = scalar(item)
            if text is not None:
                append(lead + text)
            else:
                append(lead)
                encode(item, inner)
                if flush is not None and len(out) > _CHUNKS:
                    flush()
            lead = sep
        append(f"\n{indent}]")

    encode(data, "")


def _encode_other(
    value: Any,
    indent: str,
    encode: Callable[[Any, str], None],
    encode_dict: Callable[[Any, str], None],
    encode_list: Callable[[Any, str], None],
    append: Callable[[str], None],
) -> None:
    """Subclasses and other types, checked in the order the writer always used."""
    if isinstance(value, Decimal):
        append(_number(value))
    elif isinstance(value, int):
        append(str(value))
    elif isinstance(value, float):  # not expected: results hold Decimals only
        raise TypeError("float in results data; use Decimal")
    elif isinstance(value, str):
        append(encode_basestring(value))
    elif isinstance(value, Mapping):
        encode_dict(value, indent)
    elif isinstance(value, Sequence):
        encode_list(value, indent)
    else:
        raise TypeError(f"cannot write {type(value).__name__} to JSON")


# Characters valid in a JSON string but unsafe to print raw (DEL and C1 controls: U+009B is a
# terminal's CSI) or to encode as UTF-8 (surrogates: a name that was not UTF-8 — shown readable
# at the source, ``display.readable``; this is the last guard). They are written as ``\u``
# escapes, which JSON readers turn back into the same strings. Only characters inside strings can
# match (JSON's own syntax is ASCII), so whole chunks are scanned at once.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _json_safe(text: str) -> str:
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(data: Any) -> str:
    """Deterministic JSON text (sorted keys, indent 2, ending in a newline) with Decimals as
    exact JSON numbers."""
    out: list[str] = []
    _encode_all(data, out)
    out.append("\n")
    return _json_safe("".join(out))


def write_results(result: BatchResult, path: Path) -> None:
    """``json_text(result_to_dict(result))`` to ``path``, the same bytes, encoded by msgspec
    (``_element``): the top level with placeholders, then units, indicator rows and entries
    made and encoded one at a time and written as they come, so neither the whole text nor
    every unit's dict is held in memory."""
    data = _result_data(result, _Each)
    lists = {key: data[key] for key in _STREAMED}
    skeleton = dict(data)
    for key in _STREAMED:
        skeleton[key] = _MARK.format(key)
    head = _element(skeleton)
    with open(path, "wb", buffering=1 << 20) as f:
        pos = 0
        while True:
            found = [(i, k) for k in _STREAMED if (i := head.find(_marks[k], pos)) >= 0]
            if not found:
                break
            at, key = min(found)
            f.write(head[pos:at])
            _write_list(f.write, lists[key])
            pos = at + len(_marks[key])
        f.write(head[pos:])
        f.write(b"\n")


_STREAMED = ("units", "indicators", "entries")
_MARK = "\ue000flowscore:{}\ue000"  # private-use characters: never in flowscore's own keys
_marks = {k: b'"' + _MARK.format(k).encode("utf-8") + b'"' for k in _STREAMED}
_INNER = b"\n    "  # the lists are values of the top level: their items at depth 2


def _write_list(write: Callable[[bytes], object], items: Iterable[Any]) -> None:
    first = True
    for item in items:
        write((b"[" + _INNER) if first else (b"," + _INNER))
        write(_element(item).replace(b"\n", _INNER))
        first = False
    write(b"[]" if first else b"\n  ]")


# msgspec writes a Decimal as ``str()`` gives it: an exponent (1E+5, 0E-7) or a negative zero
# where flowscore writes plain digits (100000, 0.0000000) and no sign. Such a number — or text
# that merely looks like one after a ``:`` ``,`` or ``[`` — sends the value to the exact path.
# Each pattern starts with a literal (fast to find); what stands before it is checked after.
_EXPONENT = re.compile(rb"E[+-][0-9]")
_MINUS_ZERO = re.compile(rb"-0(?:\.0*)?(?:[,\]}]|\Z)")
_NUMBER_CHARS = frozenset(b"0123456789.-")


def _in_number_position(raw: bytes, at: int) -> bool:
    """Whether the number-like text ending just before ``at`` starts where a value starts."""
    i = at
    while i > 0 and raw[i - 1] in _NUMBER_CHARS:
        i -= 1
    return i == 0 or raw[i - 1] in b":,["


# DEL, the C1 controls and U+2028/2029 in UTF-8 (lead bytes: no match starts mid-character).
_UNSAFE_UTF8 = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")
_LINE_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")


def _escape_utf8(m: re.Match[bytes]) -> bytes:
    return f"\\u{ord(m.group().decode('utf-8')):04x}".encode("ascii")


@functools.lru_cache(maxsize=1)
def _msgspec() -> tuple[Callable[[Any], bytes], Callable[[bytes], bytes]]:
    import msgspec

    encoder = msgspec.json.Encoder(decimal_format="number", order="sorted")

    def fmt(raw: bytes) -> bytes:
        return msgspec.json.format(raw, indent=2)

    return encoder.encode, fmt


def _element(value: Any) -> bytes:
    """``json_text(value)`` (without the final newline) as UTF-8: msgspec's sorted, indented
    encoding, DEL, C1 and U+2028/2029 written as ``\\u`` escapes. What msgspec writes another
    way — a Decimal with an exponent or a negative zero, a lone surrogate, a key that is not
    text, a float — goes through ``_encode_all``, the writer msgspec replaced, which stays as
    the exact path and for ``json_text``."""
    encode, fmt = _msgspec()
    try:
        raw = encode(value)
    except (TypeError, ValueError, UnicodeError):
        raw = b""
    if not raw or _odd(raw):
        out: list[str] = []
        _encode_all(value, out)
        return _json_safe("".join(out)).encode("utf-8")
    text = fmt(raw)
    # one byte: ``in`` (memchr); three: a pattern with a literal start (faster than ``in``)
    if b"\x7f" in text or b"\xc2" in text or _LINE_SEPARATORS.search(text) is not None:
        text = _UNSAFE_UTF8.sub(_escape_utf8, text)
    return text


def _odd(raw: bytes) -> bool:
    """Whether msgspec's compact text may hold a number flowscore writes otherwise. Both
    patterns start with a literal, which ``re`` finds about three times faster than ``in`` finds
    two bytes: no literal pre-check (a province's 10,000 units: 0.32 → 0.05 s)."""
    for m in _EXPONENT.finditer(raw):
        if _in_number_position(raw, m.start()):
            return True
    for m in _MINUS_ZERO.finditer(raw):
        if _in_number_position(raw, m.start() + 1):
            return True
    return False
