"""Which files of a submissions folder are read, and what is said about the others.

Spreadsheets and Word documents are read by content; formats flowscore does not read are an
error each (their data would be lost silently), other documents a note."""

from __future__ import annotations

from pathlib import Path

from flowscore.catalog import finding
from flowscore.findings import Finding

# Read by content; .et is WPS Spreadsheets' own name for an .xls/.xlsx workbook.
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".et"})
# Word annexes, checked as Word files whatever their content (``safety/docx.py``) and read by
# ``open/docx.py``: .docx directly, .doc and WPS Writer's .wps through LibreOffice.
WORD_SUFFIXES = frozenset({".docx", ".doc", ".wps"})
CONVERTED_SUFFIXES = (".doc", ".wps")  # LibreOffice turns these into .docx (``open/convert.py``)
READ_SUFFIXES = SPREADSHEET_SUFFIXES | WORD_SUFFIXES


# Spreadsheets flowscore does not read: an error each, since their data would be lost silently.
_UNSUPPORTED = {
    ".csv": "这是 CSV 文本表格：只有数值，没有工作表和表头结构，无法确认是哪张表、哪个单位",
    ".tsv": "这是制表符分隔的文本表格：没有工作表和表头结构",
    ".xlsb": "这是 Excel 二进制工作簿（.xlsb）",
    ".xltx": "这是 Excel 模板（.xltx）",
    ".xltm": "这是 Excel 模板（.xltm）",
    ".xlt": "这是 Excel 97-2003 模板（.xlt）",
    ".ett": "这是 WPS 表格模板（.ett）",
    ".numbers": "这是苹果 Numbers 表格",
    ".fods": "这是 OpenDocument 平面 XML 表格（.fods）",
    ".dbf": "这是 dBase 数据表",
    ".wk1": "这是 Lotus 1-2-3 表格",
    ".wk3": "这是 Lotus 1-2-3 表格",
    ".wk4": "这是 Lotus 1-2-3 表格",
    ".123": "这是 Lotus 1-2-3 表格",
}
_ARCHIVES = frozenset({".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"})
# Not spreadsheets, and no concern of anyone's: the folder's own clutter.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


def skipped_file_note(name: str, display: str) -> Finding | None:
    """What to say about a file in the submissions folder that is not read (``display``: its
    path as shown), or None to pass over it silently."""
    suffix = Path(name).suffix.lower()
    if name.lower() in _IGNORED_NAMES or name.lower().startswith("readme"):
        return None  # the folder's clutter, or its own description (sample_data/*/README.md)
    if suffix in _UNSUPPORTED:
        return finding("unsupported-format", file=display, what=_UNSUPPORTED[suffix])
    if suffix in _ARCHIVES:
        return finding("not-spreadsheet", "archive", file=display)
    return finding("not-spreadsheet", file=display)
