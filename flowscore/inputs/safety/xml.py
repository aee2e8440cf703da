"""Untrusted XML: OOXML and ODF never need a DTD, so a declaration anywhere a reader parses is
refused before any parser sees it (entity expansion, external entities)."""

from __future__ import annotations

import re

from flowscore.inputs.safety.outcome import Refused, refuse

_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_DTD_ANYWHERE = re.compile(rb"<!(?!--|\[CDATA\[)")


def utf8(buf: bytes) -> bytes:
    """UTF-16 XML (allowed by the standards, never written by Excel) as UTF-8 for scanning."""
    if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or buf[:2] in (b"<\x00", b"\x00<"):
        enc = (
            "utf-16"
            if buf.startswith((b"\xff\xfe", b"\xfe\xff"))
            else ("utf-16-le" if buf[:1] == b"<" else "utf-16-be")
        )
        return buf[: len(buf) // 2 * 2].decode(enc, "replace").encode("utf-8")
    return buf[3:] if buf.startswith(b"\xef\xbb\xbf") else buf


def prolog_state(buf: bytes) -> str:
    """``dtd`` when the prolog holds a declaration, ``ok`` when the root element starts,
    ``more`` when ``buf`` ends inside the prolog."""
    if buf[:1] == b"<" and buf[1:2] not in (b"?", b"!"):
        return "ok"  # no declaration: the root element first (openpyxl)
    if buf[:5] == b"<?xml" and (end := buf.find(b"?>")) > 0:
        rest = buf[end + 2 : end + 8].lstrip()
        if rest[:1] == b"<" and rest[1:2] not in (b"?", b"!"):
            return "ok"  # the declaration, then the root element (Excel, WPS, LibreOffice)
    buf = utf8(buf)
    prolog = _PROLOG.match(buf)  # matches the empty string at worst: never None
    rest = buf[prolog.end() if prolog else 0 :]
    if not rest or rest.startswith((b"<!--", b"<?")) or rest in (b"<", b"<!", b"<!-"):
        return "more"  # the end of what was inflated, or a comment/PI that runs past it
    return "dtd" if rest.startswith(b"<!") else "ok"


def check_xml(name: str, data: bytes) -> None:
    if _DTD_ANYWHERE.search(utf8(data)):
        raise unsafe_dtd(name)


def unsafe_dtd(name: str) -> Refused:
    return refuse("file-unsafe", "dtd", part=name)
