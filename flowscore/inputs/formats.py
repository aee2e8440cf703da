"""Which files of a submissions folder are read, and what is said about the others.

Spreadsheets are read by content; formats flowscore does not read are an error each (their data
would be lost silently), other documents a note."""

from __future__ import annotations

from pathlib import Path

from flowscore.findings import Level

# Read by content; .et is WPS Spreadsheets' own name for an .xls/.xlsx workbook.
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".et"})


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


def skipped_file_note(name: str) -> tuple[str, Level, str, str] | None:
    """What to say about a file in the submissions folder that is not read: (code, level,
    message, hint), or None to pass over it silently."""
    suffix = Path(name).suffix.lower()
    if name.lower() in _IGNORED_NAMES or name.lower().startswith("readme"):
        return None  # the folder's clutter, or its own description (sample_data/*/README.md)
    if suffix in _UNSUPPORTED:
        return (
            "unsupported-format",
            Level.ERROR,
            f"{_UNSUPPORTED[suffix]}，flowscore 不读取这种格式，文件中的数据未采用",
            "用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）后放回文件夹",
        )
    if suffix in _ARCHIVES:
        return (
            "not-spreadsheet",
            Level.WARNING,
            "这是压缩包，flowscore 不会解压读取其中的文件",
            "如果里面是评分表或指标数据，请解压后把 .xlsx 文件放进文件夹",
        )
    if suffix == ".wps":
        return (
            "not-spreadsheet",
            Level.INFO,
            "这是 WPS 文字文档（.wps），不是表格，未读取",
            "如果这是单位的评分表，请让其用附件评分表模板（.xlsx）填写",
        )
    return (
        "not-spreadsheet",
        Level.INFO,
        "不是电子表格，未读取",
        "评分表和指标数据请用 .xlsx；其他材料（如年度报告）放在这里不影响评分",
    )
