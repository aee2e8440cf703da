"""Identification written by ``flowscore template``: text custom document properties, read
from ``docProps/custom.xml`` (the same part in .xlsx and .docx) with defusedxml.

The usual shapes are read with a pattern instead (~10 µs instead of ~70 µs for defusedxml, which
builds its tree in Python): Excel's and WPS's (``xmlns:vt`` on the root) and openpyxl's, which
every template ``flowscore template`` writes has (``xmlns:vt`` on each value). openpyxl's is
read by the pattern only where that gives exactly the parser's answer: expat (with no handler:
the part holds no ``<!`` or ``&``, nothing to expand) confirms the part is well-formed XML, and
the part holds nothing but its root and those properties."""

from __future__ import annotations

import re
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

# A property as Excel, WPS and LibreOffice write it: name="…" on <property>, one
# <vt:…>text</vt:…> child. Files in this shape are read with one pattern; anything else goes on.
_PROPERTY = re.compile(
    r'<property\s[^<>]*?\bname="([^"<>&]+)"[^<>]*>\s*<vt:\w+>([^<>&]+)</vt:\w+>\s*</property>'
)
_BARE_VALUE = re.compile(r"<vt:\w+>")  # what ``_PROPERTY`` needs: without it, it finds nothing

# openpyxl's: <property fmtid="…" pid="2" name="…"><vt:lpwstr xmlns:vt="…">text</vt:lpwstr>
# </property>, every attribute in double quotes; a value without \r (which XML reads as \n).
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_OWN_PROPERTY = re.compile(
    r'<property((?:\s+[\w.:-]+="[^"<>&]*")*)\s*>\s*'
    r'<vt:(\w+) xmlns:vt="' + re.escape(_VT) + r'">([^<>&\r]+)</vt:\2>\s*</property>'
)
_ATTR = re.compile(r'\s+([\w.:-]+)="([^"]*)"')
_ENCODING = re.compile(r"""\sencoding\s*=\s*["']([^"']*)["']""")


def parse_custom_props(data: bytes) -> dict[str, str]:
    """Text custom document properties from ``docProps/custom.xml`` (empty when unusable)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if "&" not in text and "<!" not in text and ":property" not in text:
        found = _PROPERTY.findall(text) if _BARE_VALUE.search(text) else []
        if found and len(found) == text.count("<property"):
            return dict(found)
        own = _own_props(data, text)
        if own is not None:
            return own
    return _parse_props_xml(data)


def _own_props(data: bytes, text: str) -> dict[str, str] | None:
    """openpyxl's shape read by ``_OWN_PROPERTY``: exactly what ``_parse_props_xml`` gives, or
    None. ``text`` (``data`` as UTF-8) has no ``&``, ``<!`` or ``:property``. The conditions:
    every ``<property`` matched; no ``<`` but the XML declaration's (declaring UTF-8, if
    anything), the root's two tags and the four of each property — so the properties are the
    root's only children —; well-formed (expat, as ElementTree parses it: namespaces resolved).
    A name holding a tab or line break (XML reads it as a space) is left to the parser."""
    found = _OWN_PROPERTY.findall(text)
    if not found or len(found) != text.count("<property"):
        return None
    decl = 1 if text.startswith("<?xml") else 0
    if text.find("<?", decl) >= 0 or text.count("<") != decl + 2 + 4 * len(found):
        return None
    if decl:
        encoding = _ENCODING.search(text, 0, text.find("?>"))
        if encoding is not None and encoding.group(1).lower() != "utf-8":
            return None
    out: dict[str, str] = {}
    for attrs, _kind, value in found:
        name = ""
        for key, written in _ATTR.findall(attrs):  # attributes in turn: none inside a value
            if key == "name":
                name = written
        if "\t" in name or "\n" in name or "\r" in name:
            return None
        if name:  # the parser skips a property without a name
            out[name] = value
    parser = expat.ParserCreate(None, "}")
    try:
        parser.Parse(data, False)
        parser.Parse(b"", True)
    except Exception:  # not well-formed: the parser says what it makes of it
        return None
    return out


def _parse_props_xml(data: bytes) -> dict[str, str]:
    try:
        root = SafeET.fromstring(data)
    except Exception:  # damaged or hostile XML: identification is optional
        return {}
    out: dict[str, str] = {}
    for prop in root:
        name = prop.get("name")
        if not name:
            continue
        for child in prop:
            if child.text is not None:
                out[name] = child.text
                break
    return out


_PROPS_PART = "docProps/custom.xml"
_SMALL_FILE = 4 * 1024 * 1024  # a template is ~10 KB; bigger files are read in full later anyway
_SMALL_PART = 64 * 1024


def template_props(path: str) -> dict[str, str]:
    """The custom properties of a file, read without opening it as a workbook: only its zip
    directory and the one small part (bounded; empty for anything else). Lets a run choose
    its rubric from the templates before reading the folder."""
    from flowscore.inputs.safety import Limits
    from flowscore.inputs.safety.outcome import Refused
    from flowscore.inputs.safety.xml import check_xml
    from flowscore.inputs.safety.zipped import Zip

    try:
        with open(path, "rb") as f:
            data = f.read(_SMALL_FILE + 1)
        if len(data) > _SMALL_FILE or not data.startswith(b"PK"):
            return {}
        zf = Zip(data, Limits())
        info = zf.by_name.get(_PROPS_PART)
        if info is None or info.file_size > _SMALL_PART:
            return {}
        part = zf.read(_PROPS_PART)
        check_xml(_PROPS_PART, part)
    except (OSError, Refused, ValueError):
        return {}
    return parse_custom_props(part)
