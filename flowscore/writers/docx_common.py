"""What the Word outputs (the circular and the units' feedback sheets) share: the page, the
fonts, the footer, tables, and a save that gives the same bytes on every run.

The documents follow GB/T 9704 (党政机关公文格式): A4, a 156 × 225 mm type area, the title in
小标宋 2号, the body in 仿宋_GB2312 3号, page numbers "— 1 —" in the footer. The office may want
other fonts or margins (a PC without 方正 fonts, a house style), so every such choice is a field
of ``DocumentStyle``; the writers never hard-code one.

A font in Word is one name per script, with no fallback list. The chain of each role (e.g.
仿宋_GB2312 → 仿宋 → FangSong) is therefore written twice: the first name goes into the runs'
``w:rFonts`` (``w:eastAsia`` explicitly, with ``w:hint="eastAsia"`` so that quotation marks and
dashes take the Chinese font too), and each name's font-table entry names the next one as its
``w:altName`` and carries the GB2312 character set, which Word and WPS use to pick a Chinese
substitute when none of the names is installed.

Reruns give identical bytes: python-docx stamps zip entries with the time of saving and its
template carries dates and a preview picture, so ``save_docx`` rewrites the package with fixed
zip times and a fixed part order, and the core properties carry a fixed date.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from flowscore.atomic import write_file_atomic
from flowscore.rubric.document import DocumentStyle
from flowscore.writers.safe import clean_text

# ---------------------------------------------------------------------------------------------
# the setting


# Names of the paragraph styles the writers use (Chinese: the office sees them in Word's list).
TITLE, SUBTITLE, BODY, HEADING, SUBHEADING, CELL, CELL_HEAD, CLOSING = (
    "公文标题",
    "公文副标题",
    "公文正文",
    "一级标题",
    "二级标题",
    "表格文字",
    "表格标题行",
    "落款",
)

# A fixed document date: nothing about the run's time goes into the file.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------------------------------------
# dates


def date_text(date: dt.date | None, style: DocumentStyle) -> str:
    """``2026年1月5日`` (GB/T 9704: Arabic numerals, no leading zeros), or the blank form."""
    if date is None:
        return style.blank_date
    return f"{date.year}年{date.month}月{date.day}日"


# ---------------------------------------------------------------------------------------------
# fonts


def set_fonts(rpr: Any, fonts: Sequence[str], *, latin: str | None = None) -> None:
    """Give an ``w:rPr`` the first font of ``fonts`` for Chinese (``w:eastAsia``) and ``latin``
    (else the same font) for digits and Latin letters; theme fonts, which would win over named
    ones, are removed."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rfonts = OxmlElement("w:rFonts")
    first = fonts[0]
    latin = latin or first
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), first)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")
    rpr.insert(0, rfonts)


def _chains(style: DocumentStyle) -> list[tuple[str, ...]]:
    return [
        style.title_fonts,
        style.body_fonts,
        style.heading_fonts,
        style.subheading_fonts,
        style.footer_fonts,
    ]


def _font_table(doc: Document, style: DocumentStyle) -> None:
    """A font-table entry per Chinese font named: its next choice as ``w:altName`` and the
    GB2312 character set (86), so Word and WPS substitute a Chinese font, not a Latin one."""
    part = _part(doc.part.rels, RT.FONT_TABLE)
    root = etree.fromstring(part.blob)  # python-docx keeps the font table as plain bytes
    seen: set[str] = set()
    for chain in _chains(style):
        for i, name in enumerate(chain):
            if name in seen:
                continue
            seen.add(name)
            for old in root.findall(qn("w:font")):
                if old.get(qn("w:name")) == name:
                    root.remove(old)
            font = OxmlElement("w:font")
            font.set(qn("w:name"), name)
            if i + 1 < len(chain):
                alt = OxmlElement("w:altName")
                alt.set(qn("w:val"), chain[i + 1])
                font.append(alt)
            for tag, value in (("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
                el = OxmlElement(tag)
                el.set(qn("w:val"), value)
                font.append(el)
            root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------------------------------------
# the document

_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _part(rels: Any, reltype: str) -> Part:
    part: Part = next(r.target_part for r in rels.values() if r.reltype == reltype)
    return part


def _rpr(el: Any) -> Any:
    rpr = el.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        el.append(rpr)
    return rpr


def _lang(rpr: Any) -> None:
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _defaults(doc: Document, style: DocumentStyle) -> None:
    """Document defaults: the body font and size, Chinese as the East Asian language."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr, style.body_fonts, latin=style.latin_font)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(round(style.body_size_pt * 2)))
    _lang(rpr)
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


@dataclass(frozen=True, kw_only=True, slots=True)
class _Para:
    """One paragraph style: its fonts and size, a fixed line distance (None: single), its
    alignment, a first-line indent in characters, and whether it stays with what follows."""

    name: str
    fonts: Sequence[str]
    size_pt: float
    latin: str | None
    pitch_pt: float | None
    align: Any = None
    first_line_chars: int = 0
    keep_with_next: bool = False


def _paragraph_style(doc: Document, spec: _Para) -> None:
    st = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    st.style_id = spec.name  # looked up by name (set_style), not through python-docx's search
    st.base_style = doc.styles["Normal"]
    st.quick_style = True
    st.font.size = Pt(spec.size_pt)
    set_fonts(_rpr(st.element), spec.fonts, latin=spec.latin)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if spec.pitch_pt is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spec.pitch_pt)
    if spec.align is not None:
        pf.alignment = spec.align
    pf.keep_with_next = spec.keep_with_next
    pf.widow_control = True
    if spec.first_line_chars:
        # Indents in characters (firstLineChars, hundredths of a character) follow the font
        # size; firstLine is the same in twips for programs that ignore the character unit.
        ppr = st.element.get_or_add_pPr()
        ind = OxmlElement("w:ind")
        ind.set(qn("w:firstLineChars"), str(spec.first_line_chars * 100))
        ind.set(qn("w:firstLine"), str(round(spec.first_line_chars * spec.size_pt * 20)))
        ppr.append(ind)


def _paragraph_specs(style: DocumentStyle) -> list[_Para]:
    center, body_size, latin = WD_ALIGN_PARAGRAPH.CENTER, style.body_size_pt, style.latin_font
    pitch = style.line_pitch_pt
    return [
        _Para(
            name=TITLE,
            fonts=style.title_fonts,
            size_pt=style.title_size_pt,
            latin=None,  # the title's digits in the title face too
            pitch_pt=style.title_line_pitch_pt,
            align=center,
            keep_with_next=True,
        ),
        _Para(
            name=SUBTITLE,
            fonts=style.subheading_fonts,
            size_pt=body_size,
            latin=latin,
            pitch_pt=pitch,
            align=center,
            keep_with_next=True,
        ),
        _Para(
            name=BODY,
            fonts=style.body_fonts,
            size_pt=body_size,
            latin=latin,
            pitch_pt=pitch,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            first_line_chars=2,
        ),
        _Para(
            name=HEADING,
            fonts=style.heading_fonts,
            size_pt=body_size,
            latin=latin,
            pitch_pt=pitch,
            first_line_chars=2,
            keep_with_next=True,
        ),
        _Para(
            name=SUBHEADING,
            fonts=style.subheading_fonts,
            size_pt=body_size,
            latin=latin,
            pitch_pt=pitch,
            first_line_chars=2,
            keep_with_next=True,
        ),
        _Para(
            name=CLOSING,
            fonts=style.body_fonts,
            size_pt=body_size,
            latin=latin,
            pitch_pt=pitch,
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        ),
        _Para(
            name=CELL,
            fonts=style.body_fonts,
            size_pt=style.table_size_pt,
            latin=latin,
            pitch_pt=None,
        ),
        _Para(
            name=CELL_HEAD,
            fonts=style.heading_fonts,
            size_pt=style.table_size_pt,
            latin=latin,
            pitch_pt=None,
            align=center,
        ),
    ]


def _styles(doc: Document, style: DocumentStyle) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(style.body_size_pt)
    set_fonts(_rpr(normal.element), style.body_fonts, latin=style.latin_font)
    for spec in _paragraph_specs(style):
        _paragraph_style(doc, spec)


def _page(doc: Document, style: DocumentStyle) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(style.paper_width_mm)
    section.page_height = Mm(style.paper_height_mm)
    section.top_margin = Mm(style.margin_top_mm)
    section.bottom_margin = Mm(style.margin_bottom_mm)
    section.left_margin = Mm(style.margin_left_mm)
    section.right_margin = Mm(style.margin_right_mm)
    section.header_distance = Mm(style.header_distance_mm)
    section.footer_distance = Mm(style.footer_distance_mm)
    section.gutter = Mm(0)
    _footer(doc, style)


def _field_run(paragraph: Paragraph, kind: str) -> None:
    run = paragraph.add_run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), kind)
    run._r.append(fld)


def _footer(doc: Document, style: DocumentStyle) -> None:
    """The page number, centred: ``— `` PAGE field `` —`` (the template's text around it)."""
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = style.footer_template.split("{page}", 1)

    def text(value: str) -> None:
        if value:
            p.add_run(clean_text(value))

    text(before)
    _field_run(p, "begin")
    instr = p.add_run()
    el = OxmlElement("w:instrText")
    el.set(qn("xml:space"), "preserve")
    el.text = " PAGE "
    instr._r.append(el)
    _field_run(p, "separate")
    text("1")
    _field_run(p, "end")
    text(after)
    for run in p.runs:  # the page number in 4号 宋体, digits included (GB/T 9704)
        run.font.size = Pt(style.footer_size_pt)
        set_fonts(run._r.get_or_add_rPr(), style.footer_fonts)


def _trim_package(doc: Document) -> None:
    """Drop what python-docx's template carries but these documents must not: a preview picture
    of an empty page, the Word 2010 copy of the styles, the bibliography part."""
    drop = {RT.THUMBNAIL, _STYLES_WITH_EFFECTS, RT.CUSTOM_XML}
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in drop]:
            rels.pop(rid)


_APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><TotalTime>0</TotalTime></Properties>'
)


def _properties(doc: Document, title: str) -> None:
    core = doc.core_properties
    core.title = clean_text(title)
    core.author = ""
    core.comments = ""
    core.category = ""
    core.keywords = ""
    core.subject = ""
    core.last_modified_by = ""
    core.revision = 1
    core.created = FIXED_TIME
    core.modified = FIXED_TIME
    # The template's app.xml names "Microsoft Macintosh Word" and an English heading list.
    _part(doc.part.package.rels, RT.EXTENDED_PROPERTIES)._blob = _APP_XML


# Styles the documents use or Word expects to find; python-docx's template has a hundred more
# (and a list of "latent" ones), 430 kB that every document would carry and parse.
_KEPT_STYLES = frozenset(
    {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}
    | {"Header", "HeaderChar", "Footer", "FooterChar"}
    | {TITLE, SUBTITLE, BODY, HEADING, SUBHEADING, CELL, CELL_HEAD, CLOSING}
)


def _trim_styles(doc: Document) -> None:
    root = doc.styles.element
    for el in root.findall(qn("w:style")):
        if el.get(qn("w:styleId")) not in _KEPT_STYLES:
            root.remove(el)
    for el in root.findall(qn("w:latentStyles")):
        root.remove(el)


@functools.lru_cache(maxsize=4)
def _base(style: DocumentStyle) -> bytes:
    """The empty document of ``style`` as bytes: made once, opened per document (2 ms instead
    of 40 ms for each of a batch's feedback sheets)."""
    doc = new_docx()
    _trim_package(doc)
    body = doc.element.body
    for p in body.findall(qn("w:p")):  # the template's empty first paragraph
        body.remove(p)
    _defaults(doc, style)
    _styles(doc, style)
    _trim_styles(doc)
    _font_table(doc, style)
    _page(doc, style)
    _properties(doc, "")
    return docx_bytes(doc)


def new_document(style: DocumentStyle, *, title: str) -> Document:
    """An empty document with the page, styles, fonts and footer of ``style``; ``title`` is its
    document property (what Word shows as the file's title)."""
    doc = new_docx(io.BytesIO(_base(style)))
    doc.core_properties.title = clean_text(title)
    return doc


# ---------------------------------------------------------------------------------------------
# content


def add_paragraph(
    doc: Document, text: str, style_name: str, *, multiline: bool = False
) -> Paragraph:
    """A paragraph of cleaned text (line breaks kept as breaks when ``multiline``)."""
    p = doc.add_paragraph()
    set_style(p, style_name)
    lines = clean_text(text, multiline=multiline).split("\n")
    for i, line in enumerate(lines):
        run = p.add_run(line)
        if i + 1 < len(lines):
            run.add_break()
    return p


def set_style(p: Paragraph, style_name: str) -> None:
    """Give ``p`` one of this module's paragraph styles (their ids are their names).
    python-docx's ``p.style = …`` searches the whole style sheet each time: 2 ms a cell."""
    p._p.get_or_add_pPr().get_or_add_pStyle().val = style_name


def page_break(doc: Document) -> None:
    p = doc.add_paragraph()
    set_style(p, BODY)
    p.add_run().add_break(WD_BREAK.PAGE)


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


# Characters XML 1.0 cannot carry (clean_text has removed the controls; these remain possible
# in text read back from results.json).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    if not text.isprintable():
        text = _NOT_XML.sub("", clean_text(text))
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_BORDER = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'  # a 0.75 pt line
_TABLE_LOOK = (
    "<w:tblBorders>"
    + "".join(_BORDER.format(t) for t in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
    '<w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
    '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
)
_JC = {"l": "left", "c": "center", "r": "right"}


def _cell_open(width: int, style_name: str, align: str) -> str:
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_name}"/><w:jc w:val="{align}"/></w:pPr>'
    )


def _row_xml(values: Sequence[str], opens: Sequence[str], flags: str) -> str:
    cells = []
    for value, start in zip(values, opens, strict=True):
        text = _xml_text(value)
        if text:
            cells.append(f'{start}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>')
        else:
            cells.append(start + "</w:p></w:tc>")
    return f"<w:tr><w:trPr>{flags}</w:trPr>{''.join(cells)}</w:tr>"


def table_xml(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths_mm: Sequence[float],
    aligns: str,
) -> str:
    """A bordered table of fixed column widths, centred: the header row repeated on every page
    (``w:tblHeader``), no row split across pages (``w:cantSplit``). Written as one XML string:
    python-docx's cell API took 2 s for the province annex's 460 rows."""
    return "".join(table_pieces(headers, rows, widths_mm=widths_mm, aligns=aligns))


def table_pieces(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths_mm: Sequence[float],
    aligns: str,
    namespace: bool = True,
) -> Iterator[str]:
    """``table_xml``'s text piece by piece (a row at a time: a province's ranking table is
    megabytes). ``namespace``: the ``w`` namespace declared on the table (to parse it on its
    own)."""
    layout = _layout(tuple(headers), tuple(widths_mm), aligns, namespace)
    yield layout.head
    opens, kept = layout.opens, layout.rows
    for values in rows:
        key = tuple(values)
        row = kept.get(key)
        if row is None:
            row = _row_xml(values, opens, "<w:cantSplit/>")
            if len(kept) < _ROWS and len(row) + sum(map(len, key)) <= _ROW_LEN:
                kept[key] = row
        yield row
    yield "</w:tbl>"


@dataclass(frozen=True, slots=True)
class _Layout:
    """What every table of the same headers, widths and alignments shares, made once (the
    annex has a table per unit, 10,000 in a province)."""

    head: str  # the table's properties, grid and header row
    opens: tuple[str, ...]  # each data column's cell up to its text (``_cell_open``)
    # Data rows written, by their texts: the annex's rows recur from unit to unit (the same
    # item, maximum, scores and source; a province's 60,000 rows are 3,000 distinct ones).
    rows: dict[tuple[str, ...], str]


# Rows kept per layout, and the most characters of a row and its texts together: at most 12 MB
# a layout whatever the texts (a province's annex keeps 3 MB); a writer uses a handful of layouts.
_ROWS, _ROW_LEN = 1024, 3000


@functools.lru_cache(maxsize=8)
def _layout(
    headers: tuple[str, ...], widths_mm: tuple[float, ...], aligns: str, namespace: bool
) -> _Layout:
    widths = [_twips(w) for w in widths_mm]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    heads = [_cell_open(w, CELL_HEAD, "center") for w in widths]
    opens = tuple(_cell_open(w, CELL, _JC[a]) for w, a in zip(widths, aligns, strict=True))
    decl = f" {nsdecls('w')}" if namespace else ""
    head = (
        f'<w:tbl{decl}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/>{_TABLE_LOOK}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
    ) + _row_xml(headers, heads, "<w:cantSplit/><w:tblHeader/>")
    return _Layout(head, opens, {})


def add_table(
    doc: Document,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths_mm: Sequence[float],
    aligns: str,
) -> Table:
    """Append ``table_xml``'s table to the document's body. Every cell is cleaned text
    (numbers come in formatted); ``aligns`` has one of l/c/r per column for the data rows."""
    for row in rows:
        if len(row) != len(headers):
            raise ValueError("表格各行的列数须与表头相同")
    if len(widths_mm) != len(headers) or len(aligns) != len(headers):
        raise ValueError("列宽和对齐方式须与表头的列数相同")
    tbl = parse_xml(table_xml(headers, rows, widths_mm=widths_mm, aligns=aligns))
    body = doc.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is not None:
        sect.addprevious(tbl)
    else:
        body.append(tbl)
    return Table(tbl, doc._body)


# ---------------------------------------------------------------------------------------------
# saving


def _first(name: str) -> tuple[int, str]:
    # [Content_Types].xml first and the package relationships next, as Word writes them; the
    # rest by name.
    order = {"[Content_Types].xml": 0, "_rels/.rels": 1}
    return order.get(name, 2), name


def docx_bytes(doc: Document) -> bytes:
    """The package as bytes that depend only on the document: fixed zip times and modes, parts
    in a fixed order."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist(), key=_first):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def save_docx(doc: Document, path: Path) -> None:
    """Write ``doc`` to ``path`` whole: built in memory, written beside it, renamed over it."""
    save_bytes(docx_bytes(doc), path)


def save_bytes(data: bytes, path: Path) -> None:
    """Write a document's bytes to ``path`` whole: written beside it, renamed over it."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    write_file_atomic(Path(path), write)
