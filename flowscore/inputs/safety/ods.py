"""OpenDocument spreadsheets (.ods): each table's extent as a reader expands repeated rows and
columns, bounded before calamine reads every table on opening."""

from __future__ import annotations

import html
import re

from flowscore.inputs.safety.limits import Limits, too_big
from flowscore.inputs.safety.ooxml import NS, prolog_scan_rest
from flowscore.inputs.safety.outcome import OK_SCAN, Preflight, SheetScan, refuse
from flowscore.inputs.safety.xml import check_xml, utf8
from flowscore.inputs.safety.zipped import Zip

_ODS_TAG = re.compile(
    rb"<(/?)" + NS + rb"(table|table-row|table-cell|covered-table-cell)([\s/][^>]*)?>"
)
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']([0-9]+)[\"']")
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_TABLE_NAME = re.compile(rb"(?<![\w.-])(?:[\w.-]+:)?name\s*=\s*[\"']([^\"']*)[\"']")


def scan_ods(data: bytes, limits: Limits) -> dict[str, SheetScan]:
    """Each table's extent as a reader expands it: repeated rows and columns count once per
    repeat, but only up to the last cell that holds something."""
    data = utf8(data)
    out: dict[str, SheetScan] = {}
    name = ""
    row = rows = cols = 0
    col = 0
    row_rep = 1
    row_width = 0
    for m in _ODS_TAG.finditer(data):
        closing, tag, attrs = m.groups()
        attrs = attrs or b""
        empty = attrs.endswith(b"/")
        if tag == b"table":
            if closing:
                out[name] = SheetScan(rows=rows, cols=cols)
            elif not empty:
                t = _TABLE_NAME.search(attrs)
                name = html.unescape(t.group(1).decode("utf-8", "replace")) if t else ""
                row = rows = cols = 0
            continue
        rep_m = _REPEAT.search(attrs)
        rep = int(rep_m.group(1)) if rep_m else 1
        if tag == b"table-row":
            if closing:
                if row_width:
                    rows = row + row_rep
                    cols = max(cols, row_width)
                row += row_rep
            else:
                row_rep, col, row_width = rep, 0, 0
                if empty:
                    row += rep
            if rows > limits.max_rows or rows * cols > limits.max_cells:
                out[name] = SheetScan(rows=rows, cols=cols)
                return out
            continue
        if closing:
            continue
        holds = not empty or bool(_VALUE_TYPE.search(attrs))
        col += rep
        if holds:
            row_width = col
    return out


def scan_zipped_ods(zf: Zip, pre: Preflight) -> None:
    done = set()
    if "content.xml" in zf.by_name:
        data = zf.read("content.xml")
        check_xml("content.xml", data)
        done.add("content.xml")
        pre.sheets = scan_ods(data, zf.limits)
        for name, s in pre.sheets.items():  # calamine reads every table on opening an .ods
            if why := too_big(s.rows, s.cols, zf.limits):
                raise refuse("sheet-too-large", "whole", sheet=name, why=why)
        pre.worst = OK_SCAN
    prolog_scan_rest(zf, done)
