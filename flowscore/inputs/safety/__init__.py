"""Checks on a submitted file before any parser touches it: what it really is, and whether it is
safe to open.

Submissions come from dozens of units by mail and USB stick; a file may be damaged, disguised,
encrypted or hostile. ``preflight`` looks at the bytes and returns what to open and how, or a
refusal, without expanding anything unbounded:

* **Format by content**, not by extension: zip (``.xlsx``/``.ods``), OLE compound file (``.xls``,
  or an encrypted OOXML workbook: an ``EncryptionInfo`` stream), HTML or XML "spreadsheets",
  plain text, PDF. A file with a Word name (.docx/.doc/.wps) gets the Word checks instead
  (``docx``: the same machinery, Word's own kinds and wording), also by content.
* **Zip bombs**: the central directory's declared sizes are checked (members, total, ratio) before
  anything is inflated. Declared sizes can lie, but deflate cannot expand more than ~1032:1, so a
  file whose compressed parts × 1032 fit in the limit cannot inflate past it; only larger files
  get a streamed inflation bounded by the declared sizes.
* **Untrusted XML**: OOXML and ODF never need a DTD, so any part with ``<!DOCTYPE``/``<!ENTITY``
  (entity expansion "billion laughs", external entities) is refused. (calamine's quick-xml does
  not expand DTD entities either — it fails on them — and defusedxml forbids them; the scan turns
  that into a clear refusal.)
* **Sheet dimensions**: calamine allocates a dense grid from the first to the last cell, 32 bytes
  a cell, before Python sees anything — one stray value at XFD1048576 asks for 550 GB and aborts
  the process. The cell references of each worksheet (and the repeat counts of an ODF table) are
  scanned first, and a sheet over ``max_rows`` or ``max_cells`` is skipped with a finding.
* **Formula error values**: calamine gives ``#DIV/0!`` cells as empty strings; the scan collects
  them so the reader sees the error text, not a blank.

Everything here is bytes and regular expressions: about 0.1 ms on a normal 7–10 KB workbook
(central directory read directly, only the parts a reader parses inflated, a normal sheet
cleared by a few byte searches); a 100,000-row sheet takes 0.3 s. A part that passed its check
is not inflated and checked again in the same process when met again byte for byte (the same
compressed bytes, method, declared size and name: ``zipped.PartMemo``, bounded): the
relationships, workbook.xml, styles and comments of the copies of one template. Every other
check — declared sizes and ratio, bounded inflation, each sheet's scan — runs on every file.
"""

from __future__ import annotations

from flowscore.inputs.formats import WORD_SUFFIXES
from flowscore.inputs.safety.docx import preflight_word
from flowscore.inputs.safety.limits import (
    DEFAULT_LIMITS,
    MB,
    Limits,
    too_big,
)
from flowscore.inputs.safety.ods import scan_zipped_ods
from flowscore.inputs.safety.ooxml import scan_xlsx
from flowscore.inputs.safety.outcome import (
    Preflight,
    Refusal,
    Refused,
    SheetScan,
    not_spreadsheet,
    refusal,
    refuse,
)
from flowscore.inputs.safety.sniff import sniff
from flowscore.inputs.safety.xls import scan_cfb
from flowscore.inputs.safety.zipped import Zip

__all__ = [
    "DEFAULT_LIMITS",
    "MB",
    "Limits",
    "Preflight",
    "Refusal",
    "SheetScan",
    "preflight",
    "too_big",
]

_KIND_NAMES = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}
_SUFFIX_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}


def preflight(data: bytes, suffix: str, limits: Limits = DEFAULT_LIMITS) -> Preflight:
    """What ``data`` (a whole file, named with ``suffix``) is and whether to open it."""
    if suffix.lower() in WORD_SUFFIXES:
        return preflight_word(data, suffix, limits)
    pre = Preflight()
    try:
        _preflight(data, suffix.lower(), limits, pre)
    except Refused as r:
        pre.refusal = r.refusal
    return pre


def _preflight(data: bytes, suffix: str, limits: Limits, pre: Preflight) -> None:
    what = sniff(data[:512])
    if what == "empty":
        raise refuse("file-empty")
    if what == "zip":
        _zipped(Zip(data, limits), suffix, pre)
    elif what == "cfb":
        scan_cfb(data, suffix, limits, pre)
    elif what == "markup":
        _markup(data, suffix)
    else:
        raise not_spreadsheet(what, suffix)
    expected = _SUFFIX_KIND.get(suffix)
    if expected and expected != pre.kind:
        pre.notes.append(refusal("format-mismatch", suffix=suffix, actual=_KIND_NAMES[pre.kind]))


def _zipped(zf: Zip, suffix: str, pre: Preflight) -> None:
    """A zip container: which format it holds (by its parts), then that format's checks."""
    zf.check_declared()
    if zf.needs_bounded_inflation():
        zf.bounded_inflation()
    names = zf.by_name
    if "mimetype" in names:
        mime = zf.read("mimetype", head=100)
        if b"opendocument.spreadsheet" in mime:
            pre.kind = "ods"
        else:
            raise not_spreadsheet("OpenDocument 文档（不是表格）", suffix)
    elif any(n.lower() == "xl/workbook.bin" for n in names):
        raise refuse("unsupported-format", "xlsb")
    elif any(n.lower().startswith("xl/") for n in names) or (
        "[Content_Types].xml" in names and not any(n.startswith(("word/", "ppt/")) for n in names)
    ):
        pre.kind = "xlsx"
    elif any(n.startswith("word/") for n in names):
        raise not_spreadsheet("Word 文档", suffix)
    elif any(n.startswith("ppt/") for n in names):
        raise not_spreadsheet("PowerPoint 演示文稿", suffix)
    elif any(n.lower().startswith("index/") and n.lower().endswith(".iwa") for n in names):
        raise refuse("unsupported-format", "numbers")
    else:
        raise not_spreadsheet("普通压缩包", suffix)
    if pre.kind == "xlsx":
        scan_xlsx(zf, pre)
    else:
        scan_zipped_ods(zf, pre)


def _markup(data: bytes, suffix: str) -> None:
    """HTML or XML under a spreadsheet's name: never read, each said for what it is."""
    head = data[:4096].lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"<workbook" in head:
        raise refuse("unsupported-format", "xml2003")
    if b"<html" in head or b"<table" in head or b"<!doctype html" in head:
        raise refuse("unsupported-format", "html")
    raise not_spreadsheet("XML 或网页文件", suffix)
