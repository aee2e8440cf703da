"""What a pre-check concludes about a file: open it (how, with what bounds) or refuse it (why).

A refusal is plain data; ``inputs/open`` turns it into a Finding naming the file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened; workbook.py turns it into a Finding naming the file."""

    code: str
    message: str
    hint: str
    sheet: str = ""


@dataclass(frozen=True)
class SheetScan:
    rows: int  # 1-based index of the last row holding a value (0: none)
    cols: int
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based

    @property
    def cells(self) -> int:
        return self.rows * self.cols


@dataclass
class Preflight:
    kind: str = ""  # xlsx, xls, ods: how to open the file
    refusal: Refusal | None = None
    notes: list[Refusal] = field(default_factory=list)  # info: read by content, not extension
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name
    worst: SheetScan | None = None  # the largest worksheet part, for a name not matched
    custom_xml: bytes | None = None


class Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def refuse(code: str, message: str, hint: str, sheet: str = "") -> Refused:
    return Refused(Refusal(code, message, hint, sheet))


HINT_RESAVE = "用 Excel、WPS 或 LibreOffice 打开确认文件完好，另存为 .xlsx 后重新提交"
HINT_PASSWORD = (
    "请去掉密码（Excel：文件 › 信息 › 保护工作簿 › 用密码进行加密，清空密码；"
    "WPS：文件 › 文档加密）后另存为 .xlsx 再提交"
)
HINT_UNSAFE = (
    "正常的 Excel/WPS 文件不会有这种内容。请用 Excel 或 WPS 打开后另存为新的 .xlsx 再提交；"
    "来历不明的文件请交信息安全人员检查"
)

OK_SCAN = SheetScan(rows=0, cols=0)  # a part checked quickly: within every limit


def not_spreadsheet(what: str, suffix: str) -> Refused:
    return refuse(
        "file-not-spreadsheet",
        f"文件扩展名是 {suffix or '（无）'}，但内容不是电子表格（是{what}）",
        "可能改错了扩展名或提交错了文件；请提交用 Excel/WPS 保存的 .xlsx 评分表",
    )
