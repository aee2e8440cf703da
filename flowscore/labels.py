"""The Chinese words for flowscore's own values, each defined once: what every output and the
terminal print for an item's source, a unit's status, an entry's kind, an input file's kind and
an item's scoring mode. (Problem kinds have theirs in ``catalog``.)"""

from __future__ import annotations

SOURCE_LABELS: dict[str, str] = {
    "computed": "计算",
    "assessor": "核定",
    "override": "核定改写",
    "pending": "待核定",
}
STATUS_LABELS: dict[str, str] = {
    "final": "已定",
    "provisional": "暂定",
    "missing": "未报送",
    "rejected": "文件无法读取",
}


def no_sheet_note(status: str, file: str = "") -> str:
    """Why a unit has no score, in the words its feedback and the circular use."""
    if status == "rejected":
        return f"收到的评分表（{file}）无法读取，不计得分、不参加排名；请重新报送。"
    return "未收到该单位的评分表，不计得分、不参加排名。"


ENTRY_KIND_LABELS: dict[str, str] = {"bonus": "加分", "penalty": "减分"}
INPUT_KIND_LABELS: dict[str, str] = {
    "annex": "评分表",
    "indicators": "指标数据",
    "entries": "加减分",
    "ranking": "市考排名",
    "register": "核定登记表",
    "unknown": "未识别",
    "skipped": "已跳过",
    "unreadable": "无法读取",
}
MODE_LABELS: dict[str, str] = {
    "computed": "按指标计算",
    "assessor": "考核组核定",
    "ceiling_assessor": "计算上限，考核组核定",
}
