"""Folders with an assessor's register (核定登记表) for the tests: a shipped sample year copied
without its own register, and a register workbook made from ``flowscore template --register``
with the rows a test gives, typed as a clerk types them."""

from __future__ import annotations

import shutil
from pathlib import Path

from flowscore.contract import REGISTER_NAME
from flowscore.rubric.model import Scheme
from flowscore.template_register import REGISTER_SHEET, build_register_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"

Row = tuple[object, ...]  # 单位, 序号/项目, 核定分, 理由, 核定人, 日期 (shorter rows: blanks)


def sample_copy(name: str, dest: Path, *, keep_register: bool = False) -> Path:
    """``sample_data/<name>`` copied to ``dest`` (its register left out unless asked)."""
    shutil.copytree(SAMPLES / name, dest)
    if not keep_register:
        (dest / REGISTER_NAME).unlink(missing_ok=True)
    return dest


def write_register(
    scheme: Scheme, folder: Path, rows: list[Row], name: str = REGISTER_NAME
) -> Path:
    """A register made from the template, its rows filled from the third row on."""
    wb = build_register_workbook(scheme)
    ws = wb[REGISTER_SHEET]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    path = folder / name
    wb.save(path)
    return path
