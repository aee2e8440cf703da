"""Text that comes from user files, made safe for the places flowscore writes it to.

Unit names, topics and remarks are typed by people in the units' workbooks. They end up in file
names (one report per unit), in workbook cells and in plain-text/markdown reports, and each of
those places has its own way of going wrong: a path that escapes the reports folder, a cell that
Excel runs as a formula, a control character that breaks the XML or a terminal.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from flowscore.display import readable

# openpyxl's own ILLEGAL_CHARACTERS_RE (control characters XML cannot hold), spelled out here
# so that reading results.json never has to import openpyxl.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# Characters Windows forbids in file names (and '/' everywhere).
_RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CLOCK$"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
)
# Control characters (C0 but tab and newline, which are handled apart; DEL; C1) and the
# bidirectional overrides, which can make a name display as something it is not.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

# File systems limit a name to 255 bytes; a CJK character takes 3 in UTF-8. Keep well below,
# leaving room for a de-duplication tag and the suffix.
MAX_NAME_BYTES = 150
EXCEL_MAX_CHARS = 32767  # Excel's limit for one cell's text

# A cell whose text starts with one of these is what spreadsheet programs treat as a formula
# (or a formula continuation) when the text is typed or imported.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text fit for a plain-text or markdown report: no control characters (which could move a
    terminal's cursor or hide text), no bidi overrides. Newlines survive only when ``multiline``;
    tabs become spaces."""
    text = "" if value is None else str(value)
    if text.isprintable():  # the usual case, checked in C: nothing to clean
        return text
    text = readable(text)  # a name that arrived as undecodable bytes (GBK), shown decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    return _CONTROL.sub("", text)


def _cap_bytes(text: str, limit: int) -> str:
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


def safe_filename(name: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name stem for ``name`` that stays inside the folder it is written to, on Linux,
    macOS and Windows: no path separators, no ``..``, no leading dot (hidden or relative), no
    control characters, no Windows-reserved characters or device names, at most ``max_bytes``
    UTF-8 bytes. Never empty. Distinct names may map to the same stem: see ``unique_filenames``.
    """
    text = unicodedata.normalize("NFC", clean_text(name))
    text = _RESERVED_CHARS.sub("_", text)
    text = _DOTS.sub("_", text)
    text = _SPACES.sub(" ", text).strip()
    text = text.lstrip(". ")
    text = _cap_bytes(text, max_bytes)
    text = text.rstrip(". ")  # Windows drops trailing dots and spaces
    if not text:
        return "未命名"
    if text.split(".")[0].upper().strip() in _WINDOWS_RESERVED:
        text = "_" + text
    return text


def _tag(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def unique_filenames(names: Iterable[str], *, suffix: str = "") -> dict[str, str]:
    """A distinct, safe file name (``stem + suffix``) for each name.

    Names whose safe stems clash — exactly, or only by letter case or Unicode form, which is the
    same file on Windows and macOS — all get a tag derived from the original name, so a unit's
    file name does not depend on which other units happen to be in the batch."""
    names = list(dict.fromkeys(names))
    stems = {n: safe_filename(n) for n in names}
    groups: dict[str, list[str]] = {}
    for n, stem in stems.items():
        groups.setdefault(stem.casefold(), []).append(n)
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n in names:
        stem = stems[n]
        if len(groups[stem.casefold()]) > 1:
            stem = f"{_cap_bytes(stem, MAX_NAME_BYTES - 9)}-{_tag(n)}"
        candidate, k = stem, 2
        while (candidate + suffix).casefold() in taken:  # a tag collision: practically never
            candidate, k = f"{stem}-{k}", k + 1
        taken.add((candidate + suffix).casefold())
        out[n] = candidate + suffix
    return out


def excel_text(value: object) -> str:
    """Text as it may go into a workbook cell: characters XML 1.0 cannot carry (which make
    openpyxl refuse the whole file) removed, and cut to Excel's 32,767 characters.

    This does not by itself stop formula injection: the writer stores every text cell with the
    string data type (see ``summary_xlsx._text``), so the visible text stays exactly as typed.
    """
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:EXCEL_MAX_CHARS]


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would treat as a formula when typed or imported."""
    return text.startswith(FORMULA_PREFIXES)


_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&#?[0-9A-Za-z]+;")


def md_cell(value: object) -> str:
    """Text for one markdown table cell or line: on one line, and escaped only where a
    character would otherwise be markup (a pipe, emphasis, code, a link, HTML, an entity), so
    a unit name cannot break the table or inject links or HTML, while ``sample_data`` or
    ``考核(2019)`` read as typed in Notepad too (the report is read raw as often as rendered)."""
    text = clean_text(value).strip()
    closing = len(text.rstrip("#"))  # where a trailing run of # (a heading's closing) starts
    out: list[str] = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if _is_markup(ch, before, after) or (
            (ch == "#" and i >= closing and not text[closing - 1 : closing].strip())
            or (ch == "&" and _ENTITY.match(text, i))
        ):
            out.append("\\")
        out.append(ch)
    return "".join(out)


def _is_markup(ch: str, before: str, after: str) -> bool:
    if ch in "|`*":
        return True  # a cell's end, code, emphasis (also inside a word)
    if ch == "\\":
        return after in _ASCII_PUNCT  # elsewhere a backslash is shown as it is
    if ch == "_":
        return not (before.isalnum() and after.isalnum())  # inside a word it is literal
    if ch == "~":
        return "~" in (before, after)  # strikethrough needs two
    if ch == "<":
        return after.isascii() and (after.isalpha() or after in "/!?")  # HTML, autolinks
    if ch == "]":
        return after in "(["  # a link's or reference's text ends here
    return False
