"""Text from outside (file and folder names, cell text) made fit to show: a name that is not
UTF-8 made readable, and control characters made visible.

* **Names that are not UTF-8.** A zip made on Chinese Windows stores its names in GBK; unpacked on
  Linux they arrive as bytes Python cannot decode, which it carries as "surrogate escapes"
  (``'\\udcd4\\udcc2'``). Such a string opens the file fine but cannot be printed or written to
  UTF-8 (``UnicodeEncodeError … surrogates not allowed``). ``readable`` decodes the bytes of each
  such name as GB18030 (a superset of GBK) when they are valid there, else as UTF-8 with
  replacement characters. The real path is kept for opening the file; only what is shown changes.
* **Control characters.** A file named ``\\x1b[2J.xlsx`` or a cell holding ``_x001B_[2J`` must not
  clear a clerk's screen. ``printable`` shows them as ``\\x1b`` (line breaks and tabs as spaces),
  and drops the bidirectional overrides that make a name display as something it is not.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_SPLIT = re.compile(r"([/\\\s]+)")
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def readable(text: str) -> str:
    """``text`` with every name that arrived as undecodable bytes decoded for people (GB18030
    when valid, else UTF-8 with replacement characters); unchanged when it has none."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return "".join(
        _decode(part) if _SURROGATE.search(part) else part for part in _SPLIT.split(text)
    )


def _decode(part: str) -> str:
    try:
        raw = part.encode("utf-8", "surrogateescape")  # the bytes the name arrived as
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return _SURROGATE.sub("\ufffd", part)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def printable(text: str) -> str:
    """``text`` safe to put on a terminal or into a text file: names decoded (``readable``),
    control characters shown as ``\\x1b``, line breaks and tabs as spaces, bidi overrides and
    zero-width characters removed."""
    if text.isprintable():  # the usual case, checked in C
        return text
    text = readable(text)
    return _UNPRINTABLE.sub(_visible, text)


def _visible(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in "\n\r\t\x0b\x0c\u2028\u2029":
        return " "
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return ""  # bidi overrides, zero-width characters, byte-order marks
