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

TEMPLATE_VERSION = "1"

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
