"""What every opener shares: findings naming the file, the usual hint."""

from __future__ import annotations

from flowscore.findings import Finding, Level

HINT_RESAVE = "用 Excel、WPS 或 LibreOffice 打开确认文件完好，另存为 .xlsx 后重新提交"


def finding(
    display: str, code: str, message: str, hint: str, level: Level = Level.ERROR, sheet: str = ""
) -> Finding:
    return Finding(code=code, level=level, file=display, sheet=sheet, message=message, hint=hint)
