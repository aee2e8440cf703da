"""Spreadsheets (.xlsx, .xlsm, .xls, .ods) opened with python-calamine.

calamine (Rust) reads values about 20× faster than openpyxl and handles all four formats alike;
formula cells give their cached value (a file written by openpyxl has none: empty), which is why
no total or formula cell is ever trusted. It is given the very bytes ``safety`` checked, never
the path again (the file may have changed since), and only sheets the checks bounded. Formula
error values, which calamine reads as empty, are put back into the grid as their text
(``#DIV/0!``), so the reader reports them instead of treating the cell as blank.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowscore.catalog import finding
from flowscore.findings import Finding
from flowscore.inputs.open.grid import MAX_MERGES, Grid, WorkbookData
from flowscore.inputs.open.props import parse_custom_props
from flowscore.inputs.safety import Limits, Preflight, SheetScan, too_big

if TYPE_CHECKING:
    from flowscore.inputs.open.convert import Conversion

KINDS = frozenset({"xlsx", "xls", "ods"})  # what ``safety.preflight`` finds that this opens


def open_spreadsheet(
    path: Path,
    data: bytes,
    pre: Preflight,
    *,
    display: str,
    limits: Limits,
    converted: Conversion | None = None,
) -> tuple[WorkbookData | None, list[Finding]]:
    """Every sheet the checks allow, as Grids; problems as findings naming ``display``.
    (``converted`` is never given: spreadsheets are read as they are.)"""
    wb, failed = _open(data, display)
    if wb is None:
        return None, failed
    sheets, findings, skipped = _read_sheets(wb, pre, display, limits)
    props = parse_custom_props(pre.custom_xml) if pre.custom_xml else {}
    if not sheets and skipped:
        return None, findings  # every sheet refused: said per sheet
    return WorkbookData(path=path, sheets=tuple(sheets), props=props, skipped=skipped), findings


def _open(data: bytes, display: str) -> tuple[Any, list[Finding]]:
    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data)), []
    except pc.PasswordError:
        return None, [finding("file-encrypted", "calamine", file=display)]
    except BaseException as exc:  # calamine raises several types; a Rust panic is a BaseException
        _reraise_if_not_the_file(exc)
        return None, [finding("file-unreadable", file=display)]


def _read_sheets(
    wb: Any, pre: Preflight, display: str, limits: Limits
) -> tuple[list[Grid], list[Finding], int]:
    import python_calamine as pc

    sheets: list[Grid] = []
    findings: list[Finding] = []
    skipped = 0
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:  # chart sheets, macro sheets
                continue
            scan = pre.sheets.get(meta.name)
            if scan is None and pre.kind in ("xlsx", "ods"):
                scan = pre.worst  # a name not matched to a part: bound it by the largest part
                if scan is None:
                    findings.append(_sheet_unreadable(display, meta.name))
                    skipped += 1
                    continue
            if scan is not None and (why := too_big(scan.rows, scan.cols, limits)):
                findings.append(_sheet_too_large(display, meta.name, why))
                skipped += 1
                continue
            try:
                sheet = wb.get_sheet_by_name(meta.name)
                end = sheet.end
                if end is not None and (why := too_big(end[0] + 1, end[1] + 1, limits)):
                    findings.append(_sheet_too_large(display, meta.name, why))
                    skipped += 1
                    continue
                rows = sheet.to_python(skip_empty_area=False) if end is not None else []
            except BaseException as exc:
                _reraise_if_not_the_file(exc)
                findings.append(_sheet_unreadable(display, meta.name))
                skipped += 1
                continue
            if scan is not None and scan.errors:
                _put_errors(rows, scan)
            sheets.append(Grid(name=meta.name, rows=rows, merges=_merges(sheet)))
    finally:
        wb.close()
    return sheets, findings, skipped


def _merges(sheet: Any) -> tuple[tuple[int, int, int, int], ...]:
    """The sheet's merged ranges (.xlsx, .xls; none for a format calamine gives none for),
    at most ``MAX_MERGES``."""
    try:
        found = sheet.merged_cell_ranges or ()
        return tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in found[:MAX_MERGES])
    except Exception:  # the ranges are a help to the messages, never a reason to fail
        return ()


def _reraise_if_not_the_file(exc: BaseException) -> None:
    """Let through what is not the file's fault: an interruption (Ctrl-C, a signal), an exit,
    and memory running out (the worker's cap: the run reports the file as crashing its reader).
    A Rust panic (pyo3's PanicException, a BaseException) and calamine's errors are the file's."""
    if isinstance(exc, MemoryError) or not (
        isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
    ):
        raise exc


def _sheet_too_large(display: str, sheet: str, why: str) -> Finding:
    return finding("sheet-too-large", file=display, sheet=sheet, why=why)


def _sheet_unreadable(display: str, sheet: str) -> Finding:
    return finding("sheet-unreadable", file=display, sheet=sheet)


def _put_errors(rows: list[list[object]], scan: SheetScan) -> None:
    """Formula error values (read as empty by calamine) back into the grid, as their text."""
    for (r, c), text in scan.errors.items():
        if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
            rows[r][c] = text
