"""Word documents (.docx, .doc, .wps) checked before python-docx or LibreOffice touches them.

A Word annex arrives the way spreadsheets do (mail, USB stick) and can be as damaged or hostile,
so it gets the same checks, on the same machinery (``zipped.Zip``: central directory, declared
sizes and ratios, bounded inflation, part counts; ``xls``' compound-file walk). What differs is
here:

* **What it is, by content**: a .docx (a zip with ``word/``), a Word 97–2003 or WPS Writer
  binary (an OLE compound file; one with a password is refused, since LibreOffice cannot open
  it without asking), RTF or an HTML page saved as ".doc" (LibreOffice converts those too), or
  something else (a PDF, a workbook, text) with a Word name: ``file-not-word``.
* **DTD/ENTITY**: the reader parses only the main document (with python-docx's own parser,
  from the bytes checked here) and the custom properties; those, and the package relationships,
  are refused for a declaration anywhere in them. Every other part that is XML by its first
  bytes (whatever its name) is refused for one in its prolog, inflated only that far, so a
  parser added later meets no DTD either.
* **Table size**: the rows and cells of the main document are counted by their tags before
  lxml builds a tree of them, against the same ``max_rows``/``max_cells`` as a sheet.

Every refusal is worded for Word (the catalog's ``word`` variants: 另存为 .docx, not the
spreadsheet hints). About 0.5 ms on a 40 KB document.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from flowscore.inputs.safety.limits import Limits
from flowscore.inputs.safety.ooxml import elements
from flowscore.inputs.safety.outcome import Preflight, Refused, refusal, refuse
from flowscore.inputs.safety.sniff import sniff
from flowscore.inputs.safety.xls import cfb_stream, cfb_streams
from flowscore.inputs.safety.xml import check_xml, utf8
from flowscore.inputs.safety.zipped import Zip

# What each content kind is called in a message; ``doc``, ``rtf``, ``html`` and ``works`` (a
# Microsoft Works .wps) are read through LibreOffice (``open/convert.py``).
KIND_NAMES = {
    "docx": ".docx",
    "doc": "Word 97-2003 文档（.doc）",
    "rtf": "RTF 文档",
    "html": "网页（HTML）",
    "works": "WPS/Works 文档（.wps）",
}
KINDS = frozenset(KIND_NAMES)
CONVERTED_KINDS = frozenset({"doc", "rtf", "html", "works"})
_SUFFIX_KINDS = {".docx": ("docx",), ".doc": ("doc",), ".wps": ("doc", "works")}
_MAIN_DEFAULT = "word/document.xml"
_PROPS = "docProps/custom.xml"
_PACKAGE_RELS = "_rels/.rels"

_XML_START = re.compile(rb"\s*<")
_TR = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tr[\s>/]")
_TC = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?tc[\s>/]")


@dataclass
class WordPreflight(Preflight):
    document_xml: bytes | None = None  # the main document part, checked (a .docx)


def preflight_word(data: bytes, suffix: str, limits: Limits) -> WordPreflight:
    """What ``data`` (a whole file named with a Word ``suffix``) is and whether to open it:
    ``kind`` docx / doc / rtf / html / works, or a refusal; for a .docx the checked bytes of
    the main document and the custom properties, for the reader to parse."""
    pre = WordPreflight()
    try:
        _preflight(data, suffix.lower(), limits, pre)
    except Refused as r:
        pre.refusal = r.refusal.reworded("word")
    except MemoryError:
        raise  # the worker's memory cap: the file is reported as crashing its reader
    except Exception:  # a structure the checks did not foresee: refuse it, never crash
        pre.refusal = refusal("file-unreadable", "word:structure")
    return pre


def _preflight(data: bytes, suffix: str, limits: Limits, pre: WordPreflight) -> None:
    what = sniff(data[:512])
    if what == "empty":
        raise refuse("file-empty")
    if what == "zip":
        zf = Zip(data, limits)
        zf.check_declared()
        if zf.needs_bounded_inflation():
            zf.bounded_inflation()
        names = zf.by_name
        if not any(n.startswith("word/") for n in names):
            if any(n.lower().startswith("xl/") for n in names):
                raise _not_word("Excel 工作簿（.xlsx）", suffix, "xlsx")
            if "mimetype" in names:
                raise _not_word("OpenDocument 文件", suffix)
            raise _not_word("普通压缩包", suffix)
        pre.kind = "docx"
        _scan_docx(zf, pre)
    elif what == "cfb":
        streams = {s.lower() for s in cfb_streams(data)}
        if "encryptioninfo" in streams or "encryptedpackage" in streams:
            raise refuse("file-encrypted", "word")
        if "workbook" in streams or "book" in streams:
            raise _not_word("Excel 97-2003 工作簿（.xls）", suffix, "xls")
        if "worddocument" in streams:
            stream = cfb_stream(data, {"worddocument"})
            if stream is not None and len(stream) >= 12:
                flags = struct.unpack_from("<H", stream, 10)[0]
                if flags & 0x0100:  # FibBase.fEncrypted
                    raise refuse("file-encrypted", "word")
            pre.kind = "doc"
        elif suffix == ".wps" and streams:
            pre.kind = "works"
        else:
            raise _not_word("Office 文件，但不是 Word 文档", suffix)
    elif what == "RTF 文档":
        pre.kind = "rtf"
    elif what == "markup" and b"<html" in data[:4096].lower():
        pre.kind = "html"
    else:
        raise _not_word("XML 文件" if what == "markup" else what, suffix)
    if pre.kind not in _SUFFIX_KINDS.get(suffix, (pre.kind,)):
        variant = "word" if pre.kind == "docx" else "word:converted"
        pre.notes.append(
            refusal("format-mismatch", variant, suffix=suffix, actual=KIND_NAMES[pre.kind])
        )


def _scan_docx(zf: Zip, pre: WordPreflight) -> None:
    """The parts that are parsed (the main document, the custom properties, the package
    relationships) free of DTDs anywhere, the main document's table within the row and cell
    limits; every other part that is XML by its first bytes, whatever its name, free of a DTD
    in its prolog (inflated only that far); the parsed parts kept for the reader."""
    limits = zf.limits
    main = _main_part(zf)
    if main not in zf.by_name:
        raise refuse("file-unreadable", "word:no-document", part=main)
    parsed = (main, _PROPS, _PACKAGE_RELS)
    for name in parsed:
        if name not in zf.by_name:
            continue
        data = zf.read(name)
        check_xml(name, data)
        if name == main:
            rows, cells = len(_TR.findall(data)), len(_TC.findall(data))
            if rows > limits.max_rows or cells > limits.max_cells:
                raise refuse(
                    "sheet-too-large",
                    "word",
                    rows=rows,
                    cells=cells,
                    max_rows=limits.max_rows,
                    max_cells=limits.max_cells,
                )
            pre.document_xml = data
        elif name == _PROPS:
            pre.custom_xml = data
    for info in zf.infos:
        name = info.filename
        if info.is_dir() or name in parsed:
            continue
        if _XML_START.match(utf8(zf.read(name, head=64))):
            zf.xml_prolog_ok(name)  # read by no one today; refused if it declares a DTD


def _main_part(zf: Zip) -> str:
    """The part the package's officeDocument relationship names (``word/document.xml``)."""
    if _PACKAGE_RELS not in zf.by_name:
        return _MAIN_DEFAULT
    for rel in elements(zf, _PACKAGE_RELS, "Relationship") or ():
        if rel.get("Type", "").endswith("/relationships/officeDocument") and rel.get("Target"):
            return rel["Target"].lstrip("/")
    return _MAIN_DEFAULT


def _not_word(what: str, suffix: str, variant: str = "") -> Refused:
    return refuse("file-not-word", variant, suffix=suffix or "（无）", what=what)
