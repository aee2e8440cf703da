"""Word documents written as text: the parts that never change made once, ``word/document.xml``
rendered per document from strings, the package zipped by hand with fixed times.

python-docx builds every paragraph as an lxml element and saves by serialising the whole tree
and re-zipping every part: ~9 ms for a unit's feedback sheet (90 s for a province of 10,000
units), and the circular, whose annex has every unit, grew as the square of the units (each
paragraph added before the section properties is found by a scan of the body). Here:

* ``template(style)`` builds the empty document of a style once with python-docx
  (``docx_common._base``: page, styles, fonts, footer, theme, settings, relationships) and keeps
  each of its parts compressed, the document part split around its body and the core
  properties around the title;
* ``Body`` renders paragraphs and tables as the same XML text python-docx would have written
  (escaped, ``xml:space="preserve"`` exactly where it sets it, the paragraph properties in the
  schema's order), so the document reads back the same way;
* ``package`` streams the body through one deflate stream into a zip of the stored parts —
  a large circular is never held in memory as text.

``tests/test_docx_fast.py`` holds the python-docx way of building both documents and checks that
every part comes out byte for byte the same.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowscore.rubric.document import DocumentStyle
from flowscore.writers.docx_common import CELL, CELL_HEAD, _base, table_pieces
from flowscore.writers.safe import clean_text

# Deflate levels. The parts made once keep zlib's default (6, what zipfile uses); the parts
# made per document (the body, the title) take level 1: on this machine a feedback sheet's
# 15 KB document part deflates in ~140 µs instead of ~380 µs, for ~13% more bytes (2.4 KB
# against 2.1 KB), and a province's circular in a third of the time.
STORED_LEVEL = 6
LEVEL = 1

_TITLE_MARK = "\ue000flowscore-title\ue000"  # private-use: never in a title of its own
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TIME, _DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00 in DOS form
_EXTERNAL = 0o644 << 16


def escape(text: str) -> str:
    """Text as lxml writes it in an element: ``& < >`` escaped, quotes as they are."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _run(line: str, brk: bool) -> str:
    br = "<w:br/>" if brk else ""
    if not line:
        return f"<w:r>{br}</w:r>" if brk else "<w:r/>"
    # python-docx keeps spaces at either end with xml:space="preserve" (str.strip's whitespace).
    space = ' xml:space="preserve"' if len(line.strip()) < len(line) else ""
    return f"<w:r><w:t{space}>{escape(line)}</w:t>{br}</w:r>"


def twips_of_pt(pt: float) -> int:
    """A length in points as python-docx writes it in twips (through whole EMUs)."""
    return round(int(pt * 12700) / 635.0)


class Body:
    """``word/document.xml``'s body as XML text, piece by piece (``parts``)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def paragraph(
        self,
        text: str,
        style: str,
        *,
        multiline: bool = False,
        align: str | None = None,
        keep_with_next: bool | None = None,
        right_indent_pt: float | None = None,
        first_line_zero: bool = False,
    ) -> None:
        """A paragraph of cleaned text in ``style`` (line breaks kept with ``multiline``):
        ``docx_common.add_paragraph`` and the paragraph format set after it. ``align`` is the
        ``w:jc`` value (``left``, ``center``, ``right``, ``both``)."""
        ppr = f'<w:pStyle w:val="{style}"/>'
        if keep_with_next is not None:
            ppr += "<w:keepNext/>" if keep_with_next else '<w:keepNext w:val="0"/>'
        if right_indent_pt is not None:
            ppr += f'<w:ind w:right="{twips_of_pt(right_indent_pt)}"/>'
        elif first_line_zero:
            ppr += '<w:ind w:firstLine="0"/>'
        if align is not None:
            ppr += f'<w:jc w:val="{align}"/>'
        cleaned = clean_text(text, multiline=multiline)
        if not cleaned.isprintable():
            cleaned = _NOT_XML.sub("", cleaned)
        if "\n" in cleaned:
            lines = cleaned.split("\n")
            last = len(lines) - 1
            runs = "".join(_run(line, i < last) for i, line in enumerate(lines))
        else:
            runs = _run(cleaned, False)
        self.parts.append(f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")

    def page_break(self, style: str) -> None:
        self.parts.append(
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:br w:type="page"/></w:r></w:p>'
        )

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths_mm: Sequence[float],
        aligns: str,
    ) -> None:
        """``docx_common.add_table``'s table (the namespace is the document's own)."""
        for row in rows:
            if len(row) != len(headers):
                raise ValueError("表格各行的列数须与表头相同")
        if len(widths_mm) != len(headers) or len(aligns) != len(headers):
            raise ValueError("列宽和对齐方式须与表头的列数相同")
        self.parts += table_pieces(
            headers, rows, widths_mm=widths_mm, aligns=aligns, namespace=False
        )


assert CELL and CELL_HEAD  # the cell styles table_xml names, defined with the others


@dataclass(frozen=True, slots=True)
class _Stored:
    """A zip entry made once: its name and deflated bytes with their CRC and sizes."""

    name: bytes
    data: bytes
    crc: int
    size: int


@dataclass(frozen=True, slots=True)
class Template:
    """The empty document of a style, as stored parts (see the module docstring)."""

    before: tuple[_Stored, ...]  # the parts before docProps/core.xml, in package order
    between: tuple[_Stored, ...]  # after core.xml, before word/document.xml
    after: tuple[_Stored, ...]  # after word/document.xml
    core: tuple[str, str]  # core.xml around the (escaped) title
    document: tuple[str, str]  # document.xml around the body


def _store(name: str, data: bytes, level: int = STORED_LEVEL) -> _Stored:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    packed = c.compress(data) + c.flush()
    return _Stored(name.encode("ascii"), packed, zlib.crc32(data), len(data))


@functools.lru_cache(maxsize=4)
def template(style: DocumentStyle) -> Template:
    """The stored parts of ``style``'s empty document (made once per style and process)."""
    from docx import Document

    from flowscore.writers.docx_common import docx_bytes

    doc = Document(io.BytesIO(_base(style)))
    doc.core_properties.title = _TITLE_MARK
    with zipfile.ZipFile(io.BytesIO(docx_bytes(doc))) as z:
        names = z.namelist()
        parts = {n: z.read(n) for n in names}
    core = parts["docProps/core.xml"].decode("utf-8").split(_TITLE_MARK)
    document = parts["word/document.xml"].decode("utf-8")
    cut = document.index("<w:sectPr")
    head, tail = document[:cut], document[cut:]
    if len(core) != 2 or not head.endswith("<w:body>"):
        raise RuntimeError("python-docx 的空白文档与预期不同")  # pragma: no cover
    i, j = names.index("docProps/core.xml"), names.index("word/document.xml")
    if not i < j:
        raise RuntimeError("python-docx 的部件顺序与预期不同")  # pragma: no cover
    stored = [_store(n, parts[n]) for n in names]
    return Template(
        before=tuple(stored[:i]),
        between=tuple(stored[i + 1 : j]),
        after=tuple(stored[j + 1 :]),
        core=(core[0], core[1]),
        document=(head, tail),
    )


def _local(e: _Stored) -> bytes:
    return (
        struct.pack(
            "<4s2B4HL2L2H",
            b"PK\x03\x04",
            20,
            0,
            0,
            zipfile.ZIP_DEFLATED,
            _TIME,
            _DATE,
            e.crc,
            len(e.data),
            e.size,
            len(e.name),
            0,
        )
        + e.name
    )


def _central(e: _Stored, offset: int) -> bytes:
    return (
        struct.pack(
            "<4s4B4HL2L5H2L",
            b"PK\x01\x02",
            20,
            3,
            20,
            0,
            0,
            zipfile.ZIP_DEFLATED,
            _TIME,
            _DATE,
            e.crc,
            len(e.data),
            e.size,
            len(e.name),
            0,
            0,
            0,
            0,
            _EXTERNAL,
            offset,
        )
        + e.name
    )


def _streamed(name: str, pieces: Iterable[str]) -> _Stored:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    out: list[bytes] = []
    crc = size = 0
    batch: list[str] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held > 1 << 18:
            data = "".join(batch).encode("utf-8")
            crc, size = zlib.crc32(data, crc), size + len(data)
            out.append(c.compress(data))
            batch.clear()
            held = 0
    data = "".join(batch).encode("utf-8")
    crc, size = zlib.crc32(data, crc), size + len(data)
    out.append(c.compress(data))
    out.append(c.flush())
    return _Stored(name.encode("ascii"), b"".join(out), crc, size)


def package(style: DocumentStyle, *, title: str, body: Iterable[str]) -> bytes:
    """The .docx of ``style`` with ``title`` as its document property and ``body`` (XML text
    pieces, ``Body.parts``) as its content: the bytes ``docx_common.docx_bytes`` gives for the
    same document."""
    t = template(style)
    shown = clean_text(title)
    if not shown.isprintable():
        shown = _NOT_XML.sub("", shown)
    core = (t.core[0] + escape(shown) + t.core[1]).encode("utf-8")
    head, tail = t.document

    def document() -> Iterable[str]:
        yield head
        yield from body
        yield tail

    entries = [*t.before, _store("docProps/core.xml", core, LEVEL), *t.between]
    entries.append(_streamed("word/document.xml", document()))
    entries += t.after
    out: list[bytes] = []
    offsets = []
    pos = 0
    for e in entries:
        offsets.append(pos)
        local = _local(e)
        out += (local, e.data)
        pos += len(local) + len(e.data)
    start = pos
    for e, offset in zip(entries, offsets, strict=True):
        central = _central(e, offset)
        out.append(central)
        pos += len(central)
    n = len(entries)
    out.append(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, pos - start, start, 0))
    return b"".join(out)
