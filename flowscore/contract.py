"""Names shared across the layers, each defined once: the document properties a template carries
and the reader looks for, and the names of the files and folders a run writes.

Changing one of these changes a contract with files already handed out or written: templates in
units' hands carry the property names, and a previous run's outputs are recognised by theirs."""

from __future__ import annotations

# Text custom document properties of every template (they survive Excel, WPS and LibreOffice).
PROP_SCHEME = "flowscore.scheme"  # the rubric id
PROP_UNIT = "flowscore.unit"  # the roster name
PROP_SHEET = "flowscore.sheet"  # the rubric's sheet id
PROP_VERSION = "flowscore.template_version"
PROP_ASSESSOR = "flowscore.assessor"  # a member department's field-inspection sheet

# 2: row 3 totals the 自评分 only (1 showed a 评价得分 from the 核定分 typed so far), the sheet is
# protected, and 说明 and 填表人 lines follow the table. Sheets of 1 are still read as before.
# The indicator workbook and the register carry it too; their layout is the same in 1 and 2.
TEMPLATE_VERSION = "2"

# A run's outputs, inside the output folder.
SUMMARY_NAME = "考核汇总.xlsx"
RESULTS_NAME = "results.json"
OVERALL_NAME = "考核报告.md"
REPORTS_DIR = "reports"  # the plain-text feedback (--text)
NOTICE_NAME = "考核结果通报（草稿）.docx"
FEEDBACK_DIR = "反馈单"
DEFAULT_OUT = "flowscore-output"

# What the writers put in every output's document properties, by which an earlier run's file
# left among the materials is known (``inputs/own_outputs.py``): the summary workbook's creator,
# and the fixed creation time of every output (it keeps reruns byte-identical).
OUTPUT_CREATOR = "flowscore"
OUTPUT_STAMP = "2000-01-01T00:00:00Z"

# -- the assessor's register (核定登记表, issue #16) ------------------------------------------------
PROP_KIND = "flowscore.kind"  # what a workbook flowscore made is ("register"; absent: annex)
PROP_RUBRIC_DIGEST = (
    "flowscore.rubric_sha256"  # the rubric's content hash when the template was made
)
REGISTER_NAME = "核定登记表.xlsx"
REGISTER_KIND = "register"
# role → the header labels the reader accepts (the template writes the first of each)
REGISTER_LABELS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "单位名称", "被考核单位"),
    "item": ("序号/项目", "项目", "考核项目", "序号", "项目序号"),
    "score": ("核定分", "考核分", "核定得分"),
    "reason": ("理由", "核定理由", "改动理由", "说明"),
    "who": ("核定人", "登记人", "经办人"),
    "date": ("日期", "核定日期", "登记日期"),
}
