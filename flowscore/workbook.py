"""Opening a spreadsheet file as plain grids of cell values.

python-calamine (Rust) reads values about 20× faster than openpyxl and handles .xlsx, .xlsm,
.xls and .ods alike; every sheet becomes a ``Grid`` of raw values (str, float, int, bool,
datetime or None for empty), addressed from A1. Formula cells give their cached value (a file
written by openpyxl has none: empty), which is why no total or formula cell is ever trusted.
Identification written by ``flowscore template`` lives in the custom document properties, read
from ``docProps/custom.xml`` with defusedxml.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET

from flowscore.findings import Finding, Level

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


def col_letter(col: int) -> str:
    """0-based column index → ``A``, ``Z``, ``AA``."""
    s = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → ``B12``."""
    return f"{col_letter(col)}{row + 1}"


@dataclass(frozen=True)
class Grid:
    name: str
    rows: list[list[object]]

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                v = r[col]
                return None if v == "" else v
        return None

    def text(self, row: int, col: int) -> str:
        v = self.value(row, col)
        return "" if v is None else str(v).strip()

    @property
    def height(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class WorkbookData:
    path: Path
    sheets: tuple[Grid, ...]
    props: dict[str, str] = field(default_factory=dict)


def _finding(path: Path, display: str, code: str, message: str, hint: str,
             level: Level = Level.ERROR) -> Finding:
    return Finding(code=code, level=level, file=display, message=message, hint=hint)


def read_custom_props(path: Path) -> dict[str, str]:
    """Text custom document properties of an OOXML file (empty for anything else)."""
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                data = zf.read("docProps/custom.xml")
            except KeyError:
                return {}
        root = SafeET.fromstring(data)
    except Exception:  # not a zip, damaged, hostile XML: identification is optional
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


def open_workbook(path: Path, *, display: str) -> tuple[WorkbookData | None, list[Finding]]:
    """Read every sheet of ``path``. Problems become findings naming ``display`` (the path
    relative to the submissions folder); a file that cannot be read at all gives None."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        return None, [_finding(path, display, "file-encrypted", "工作簿设有打开密码，无法读取",
                               "请去掉密码（文件 › 信息 › 保护工作簿）后另存为 .xlsx 再提交")]
    except Exception as exc:  # calamine raises several types for damaged files
        return None, [_finding(path, display, "file-unreadable",
                               f"无法作为电子表格读取（{_short(exc)}）",
                               "用 Excel、WPS 或 LibreOffice 打开确认文件完好，另存为 .xlsx 后重新提交")]
    sheets: list[Grid] = []
    findings: list[Finding] = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:  # chart sheets, macro sheets
                continue
            try:
                rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except Exception as exc:
                findings.append(Finding(code="sheet-unreadable", level=Level.ERROR, file=display,
                                        sheet=meta.name,
                                        message=f"工作表无法读取（{_short(exc)}）",
                                        hint="在电子表格程序中打开并另存为 .xlsx 后重新提交"))
                continue
            sheets.append(Grid(name=meta.name, rows=rows))
    finally:
        wb.close()
    props = read_custom_props(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    return WorkbookData(path=path, sheets=tuple(sheets), props=props), findings


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
