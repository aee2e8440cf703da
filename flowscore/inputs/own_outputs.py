"""flowscore's own earlier outputs among the materials, recognised by their content.

A 考核汇总.xlsx kept from last year — renamed, in a subfolder, without its results.json — holds
sheets that read as this year's data (指标 as indicators, 排名 as the city ranking), and a
反馈单 reads as a unit's annex: their stale figures would stand beside this year's, and win
when read first. So a file is looked at before it is opened, by its zip directory and its
``docProps/core.xml`` (a few hundred bytes), never its sheets. What the writers put there, in
every version so far (``contract.OUTPUT_CREATOR`` and ``OUTPUT_STAMP``):

* 考核汇总.xlsx: creator ``flowscore``, a title ending in ``考核汇总``, created at the fixed
  time that makes reruns byte-identical. Excel and WPS keep all three when someone saves it
  again (they set the modified time and who saved it): still skipped, but said more loudly,
  since someone may have typed into it.
* the Word outputs (考核结果通报（草稿）.docx, 反馈单/*.docx): created at the same fixed time,
  no creator.
* a template or indicator workbook of ``flowscore template`` (this year's data) names the
  creator ``flowscore`` too, but carries the ``flowscore.*`` custom properties (and the time it
  was made): never taken for an output.

A clerk's own workbook has the creator and creation time of the program that made it, so
nothing here can take it for an output.
"""

from __future__ import annotations

import html
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass

from flowscore.catalog import finding
from flowscore.contract import OUTPUT_CREATOR, OUTPUT_STAMP, PROP_SCHEME, PROP_UNIT
from flowscore.findings import Finding

_CORE = "docProps/core.xml"
_CUSTOM = "docProps/custom.xml"
_META = "meta.xml"  # an .ods: the summary saved again as OpenDocument
_STAMP_BYTES = OUTPUT_STAMP.rstrip("Z").encode("ascii")  # ODF writes it without the Z
_SMALL_PART = 64 * 1024  # core.xml is under 1 KB; a bigger one is no output of ours


@dataclass(frozen=True, kw_only=True)
class EarlierOutput:
    """What an earlier output is: ``summary``, ``notice``, ``feedback`` or ``results``;
    ``resaved`` when a person saved it again after flowscore wrote it."""

    what: str
    title: str = ""
    resaved: bool = False

    def finding(self, display: str) -> Finding:
        variant = "resaved" if self.resaved and self.what == "summary" else self.what
        return finding("output-file-skipped", variant, file=display, title=self.title or "")


def earlier_output(data: bytes) -> EarlierOutput | None:
    """The output ``data`` (a whole file's bytes) is, or None for anything else — a damaged
    or hostile file too: it is then opened and judged as usual. A few µs for a clerk's file:
    one small part inflated, one byte search."""
    if not data.startswith(b"PK"):
        return None
    directory = data[-_DIRECTORY_MAX:]  # an output's zip directory: a few KB at the end
    core = _member(data, directory, _CORE) or _member(data, directory, _META)
    if core is None or _STAMP_BYTES not in core:
        return None  # every clerk's file: created at another time (cheaper than parsing)
    props = _core_props(core)
    kind = _output_kind(props, is_word=b"word/document.xml" in directory)
    if kind is None:
        return None
    custom = _member(data, directory, _CUSTOM)
    if custom is not None and _is_template(custom):
        return None
    resaved = props.get("modified", OUTPUT_STAMP) != OUTPUT_STAMP or props.get(
        "lastModifiedBy", ""
    ) not in ("", OUTPUT_CREATOR)
    return EarlierOutput(what=kind, title=props.get("title", ""), resaved=resaved)


_DIRECTORY_MAX = 1 << 20
# A central directory entry: signature, method, packed and inflated sizes, name/extra/comment
# lengths, offset of the part.
_CENTRAL = struct.Struct("<4s6xH8xIIHHH8xI")


def _member(data: bytes, directory: bytes, name: str) -> bytes | None:
    """One small part of the zip ``data``, found by its central directory entry (the last
    mention of its name) and inflated no further than its declared size; None when it is not
    there as a normal file has it (``safety`` then judges the file when it is opened)."""
    key = name.encode("ascii")
    at = directory.rfind(key) - _CENTRAL.size
    if at < 0:
        return None
    sig, method, packed, size, n, _x, _c, offset = _CENTRAL.unpack_from(directory, at)
    if sig != b"PK\x01\x02" or n != len(key) or size > _SMALL_PART or method not in (0, 8):
        return None
    if data[offset : offset + 4] != b"PK\x03\x04" or offset + 30 > len(data):
        return None  # a local header cut short: no output of ours
    n2, m2 = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + n2 + m2
    raw = data[start : start + packed]
    if method == 0:
        return raw[:size]
    try:
        return zlib.decompressobj(-15).decompress(raw, size)
    except zlib.error:
        return None


# <dc:title>…</dc:title>, <dcterms:created xsi:type="…">…</dcterms:created>: the prefix is the
# writer's choice, so any is accepted; nothing is expanded (an entity stays its text). An .ods
# saved from the summary (LibreOffice, WPS) names them in its meta.xml the ODF way.
_ELEMENT = re.compile(
    rb"<(?:[\w.-]+:)?(title|creator|initial-creator|created|creation-date|modified|date|"
    rb"lastModifiedBy)\b[^<>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?\1\s*>)"
)
_ODF_NAMES = {"initial-creator": "creator", "creation-date": "created", "date": "modified"}


def _core_props(core: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ELEMENT.finditer(core):
        name = m.group(1).decode("ascii")
        name = _ODF_NAMES.get(name, name)
        text = html.unescape((m.group(2) or b"").decode("utf-8", "replace")).strip()
        if name in ("created", "modified") and len(text) == 19:  # ODF: no time zone
            text += "Z"
        out.setdefault(name, text)
    return out


def _output_kind(props: dict[str, str], *, is_word: bool) -> str | None:
    """``summary``, ``notice`` or ``feedback`` when the core properties are an output's."""
    if props.get("created") != OUTPUT_STAMP:
        return None
    creator, title = props.get("creator", ""), props.get("title", "")
    if is_word:
        if creator not in ("", OUTPUT_CREATOR) or not title:
            return None
        return "feedback" if "反馈" in title else "notice"
    if creator == OUTPUT_CREATOR and title.endswith("考核汇总"):
        return "summary"
    return None


def _is_template(custom: bytes) -> bool:
    """A ``flowscore template`` file (its custom properties name the rubric or the unit)."""
    return PROP_SCHEME.encode() in custom or PROP_UNIT.encode() in custom


# results.json is written with sorted keys and indent 2, so its top-level ``format`` key is a
# line of its own; a line break inside a string is escaped, so the bytes below occur only there.
# The search reads at most RESULTS_SCAN_MAX bytes.
_RESULTS_MARK = b'\n  "format": "flowscore-results",\n'
RESULTS_SCAN_MAX = 256 * 1024 * 1024


def is_results_json(path: str) -> bool:
    """Whether ``path`` is a results.json flowscore wrote (by its content, whatever its name):
    a regular file opening as flowscore's does, with its ``format`` line."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            if f.read(5) != b'{\n  "':
                return False
            tail = b""
            read = 5
            while read < RESULTS_SCAN_MAX:
                chunk = f.read(1 << 20)
                if not chunk:
                    return False
                read += len(chunk)
                if _RESULTS_MARK in tail + chunk:
                    return True
                tail = chunk[-len(_RESULTS_MARK) :]
    except OSError:
        return False
    return False
