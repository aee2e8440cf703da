"""Every kind of problem flowscore reports, defined once: its code, level, Chinese name, what it
means and what to do (the README's tables are checked against these), and the patterns of its
message and hint.

A finding is made from its kind with ``finding(code, variant, where…, **fields)``: the message
and hint are the kind's patterns filled with ``fields`` (``str.format``), so the same problem is
worded the same way wherever it is found. A kind with several situations (``bad-entry``: the
points, the type, the sign) has a pattern per ``variant``. The code stays in results.json,
``--json`` and the README; what a clerk reads is the Chinese ``name``.

A variant may name the kind of document before a colon: ``word:ratio`` is the ``ratio``
situation in a Word document. Its message is its own pattern if it has one, else the
situation's; its hint its own, else the family's (``word``: 另存为 .docx, not .xlsx), else the
situation's. So the checks shared by workbooks and Word documents (zip, XML, compound files)
say each problem once, and a Word file is told what to do in Word's terms.
"""

from __future__ import annotations

from collections.abc import Mapping

from flowscore.catalog_register import REGISTER_KINDS
from flowscore.findings import Finding, Level, clip
from flowscore.problem_kind import Kind

E, W, N = Level.ERROR, Level.WARNING, Level.INFO  # N: a note (提示)

# The README's groups, in its order.
GROUPS = {
    "file": "文件与工作表（读取之前和读取时）",
    "annex": "评分表（附件1、附件2）",
    "data": "指标数据、加减分、市考排名",
    "register": "核定登记表、名次变化、与上年比较",
    "rubric": "评分细则文件（--rubric、flowscore rubric check）",
}


_RESAVE = "用 Excel、WPS 或 LibreOffice 打开确认文件完好，另存为 .xlsx 后重新提交"
_UNSAFE = (
    "正常的 Excel/WPS 文件不会有这种内容。请用 Excel 或 WPS 打开后另存为新的 .xlsx 再提交；"
    "来历不明的文件请交信息安全人员检查"
)
_PASSWORD = (
    "请去掉密码（Excel：文件 › 信息 › 保护工作簿 › 用密码进行加密，清空密码；"
    "WPS：文件 › 文档加密）后另存为 .xlsx 再提交"
)
_TOO_BIG = (
    "通常是远处的单元格误填了内容：按 Ctrl+End 找到最后一个单元格，删去多余的行列后保存；"
    "确有这么多行时用 --max-rows 调高上限"
)
_SAVE_XLSX = "用 Excel 或 WPS 打开，另存为 .xlsx（Excel 工作簿）后放回文件夹"
# Word documents (the ``word`` family of variants, see the module doc)
_RESAVE_WORD = "用 Word 或 WPS 打开确认文件完好，另存为 Word 文档（.docx）后重新提交"
_UNSAFE_WORD = (
    "正常的 Word/WPS 文档不会有这种内容。请用 Word 或 WPS 打开后另存为新的 .docx 再提交；"
    "来历不明的文件请交信息安全人员检查"
)
_PASSWORD_WORD = (
    "请去掉密码（Word：文件 › 信息 › 保护文档 › 用密码进行加密，清空密码；"
    "WPS：文件 › 文档加密）后另存为 .docx 再提交"
)
_SAVE_DOCX = (
    "在 Word 或 WPS 中打开这个文件，选 文件 › 另存为 › Word 文档 (*.docx)，"
    "用另存的 .docx 替换原文件后重新运行"
)
_PENDING_HINT = "考核组在{vlabel}栏填写分数；--strict 时视为错误"

_KINDS = (
    # -- files and sheets ----------------------------------------------------------------------
    Kind(
        code="no-files",
        level=E,
        name="文件夹中没有表格",
        meaning="文件夹中没有任何电子表格",
        action="确认路径；评分表和指标数据放在这个文件夹中",
        group="file",
        messages={"": "文件夹 {folder} 中没有找到电子表格（.xlsx/.xls/.ods）"},
        hints={"": "确认路径正确，评分表和指标数据放在这个文件夹中"},
    ),
    Kind(
        code="lock-file",
        level=N,
        name="锁文件已跳过",
        meaning="`~$` 开头的锁文件（文件正在 Excel/WPS 中打开时产生），已跳过",
        action="关闭电子表格程序后可删除",
        group="file",
        messages={"": "这是电子表格程序打开文件时留下的锁文件，已跳过"},
        hints={"": "关闭电子表格程序后可删除它"},
    ),
    Kind(
        code="not-spreadsheet",
        level=N,
        name="不是表格，未读取",
        meaning="文件夹中的文档、图片、PDF（提示）或压缩包（警告），未读取",
        action="其他材料放着不影响评分；压缩包请解压后放入",
        group="file",
        messages={
            "": "不是电子表格，未读取",
            "archive": "这是压缩包，flowscore 不会解压读取其中的文件",
        },
        hints={
            "": "评分表和指标数据请用 .xlsx；其他材料（如年度报告）放在这里不影响评分",
            "archive": "如果里面是评分表或指标数据，请解压后把 .xlsx 文件放进文件夹",
        },
        levels={"archive": W},
    ),
    Kind(
        code="unsupported-format",
        level=E,
        name="不支持的格式",
        meaning="CSV、.xlsb、Numbers、模板、网页格式的“xls”、Excel 2003 XML 等 flowscore 不读取的格式，其中的数据未采用",
        action="用 Excel 或 WPS 打开，另存为 .xlsx",
        group="file",
        messages={
            "": "{what}，flowscore 不读取这种格式，文件中的数据未采用",
            "xlsb": "这是 Excel 二进制工作簿（.xlsb），flowscore 不读取这种格式",
            "numbers": "这是苹果 Numbers 表格，flowscore 不读取这种格式",
            "xml2003": "这是 Excel 2003 XML 表格（内容是 XML，只是扩展名为电子表格），flowscore 不读取这种格式",
            "html": "这是网页（HTML）格式的表格，常见于从业务系统“导出 Excel”，只是扩展名为电子表格",
        },
        hints={
            "": _SAVE_XLSX,
            "xlsb": "在 Excel 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
            "numbers": "在 Numbers 中导出为 Excel（.xlsx）后重新提交",
            "xml2003": "在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
            "html": "在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
        },
    ),
    Kind(
        code="format-mismatch",
        level=N,
        name="扩展名与内容不符",
        meaning="扩展名与实际格式不符（如 .xls 改成了 .xlsx），已按实际格式读取",
        action="建议另存为 .xlsx",
        group="file",
        messages={
            "": "文件扩展名是 {suffix}，内容实际是 {actual} 格式，已按实际格式读取",
            "word:converted": "文件扩展名是 {suffix}，内容实际是 {actual} 格式，已转换后读取",
        },
        hints={
            "": "建议把文件另存为 .xlsx，或把扩展名改为 {actual}",
            "word": "建议在 Word 或 WPS 中打开，另存为 Word 文档（.docx）",
        },
    ),
    Kind(
        code="file-empty",
        level=E,
        name="空文件",
        meaning="文件是 0 字节",
        action="多为复制或下载未完成，重新获取该文件",
        group="file",
        messages={"": "文件是空的（0 字节）"},
        hints={"": "可能是复制或下载没有完成，请重新获取这份文件"},
    ),
    Kind(
        code="file-not-spreadsheet",
        level=E,
        name="内容不是表格",
        meaning="扩展名是电子表格，内容却是纯文本、Word、PDF 等",
        action="可能改错了扩展名或交错了文件，重新提交 .xlsx",
        group="file",
        messages={"": "文件扩展名是 {suffix}，但内容不是电子表格（是{what}）"},
        hints={"": "可能改错了扩展名或提交错了文件；请提交用 Excel/WPS 保存的 .xlsx 评分表"},
    ),
    Kind(
        code="file-unreadable",
        level=E,
        name="文件无法读取",
        meaning="文件已损坏（压缩结构不完整、内容无法解析），或无法打开（权限、被占用）",
        action="用 Excel/WPS 打开确认完好后另存为 .xlsx；无法打开的请重新获取",
        group="file",
        messages={
            "": "文件已损坏，无法作为电子表格读取",
            "open": "无法打开文件（{reason}）",
            "structure": "文件结构异常，无法作为电子表格读取",
            "zip": "文件已损坏（压缩结构不完整），可能没有完整下载或复制",
            "part-place": "文件已损坏（内部部件 {part} 的位置不对），可能没有完整下载或复制",
            "part-short": "文件已损坏（内部部件 {part} 不完整），可能没有完整下载或复制",
            "part-inflate": "文件已损坏（内部部件 {part} 无法解压）",
            "part-stream": "文件已损坏（内部部件 {part} 无法解压），可能没有完整下载或复制",
            "part-method": "文件内部部件 {part} 使用了不常见的压缩方式，无法读取",
            "xls": "文件已损坏，无法作为 .xls 工作簿读取",
            "word": "文件已损坏，无法作为 Word 文档读取",
            "word:structure": "文件结构异常，无法作为 Word 文档读取",
            "word:no-document": "文件已损坏（找不到文档正文 {part}）",
        },
        hints={
            "": _RESAVE,
            "open": "确认文件没有被其他程序占用，并且有读取权限",
            "word": _RESAVE_WORD,
        },
    ),
    Kind(
        code="file-encrypted",
        level=E,
        name="文件有密码",
        meaning="工作簿设有打开密码",
        action="去掉密码（Excel：文件 › 信息 › 保护工作簿；WPS：文件 › 文档加密）后另存为 .xlsx",
        group="file",
        messages={
            "": "工作簿设有打开密码，无法读取",
            "zip": "文件被压缩软件加密，无法读取",
            "word": "文档设有打开密码，无法读取",
        },
        hints={
            "": _PASSWORD,
            "calamine": "请去掉密码（文件 › 信息 › 保护工作簿）后另存为 .xlsx 再提交",
            "zip": "请提交未加密的 .xlsx 文件",
            "word": _PASSWORD_WORD,
            "word:zip": "请提交未加密的 .docx 文件",
        },
    ),
    Kind(
        code="file-unsafe",
        level=E,
        name="文件内容异常，拒绝读取",
        meaning="文件含 DTD/实体声明，或压缩比异常、解压后超过声明的大小（压缩炸弹），或部件数异常、部件重名、声明的个数远超实际内容、内部结构异常，拒绝读取",
        action="正常文件不会如此：用 Excel/WPS 打开后另存为新的 .xlsx；来历不明的文件交信息安全人员",
        group="file",
        messages={
            "dtd": "文件内部的 {part} 含有 DTD/实体声明（可能是“实体膨胀”或外部实体攻击），拒绝读取",
            "parts": "文件内部有 {count} 个部件（正常的工作簿只有十几个），拒绝读取",
            "ratio": "文件内部的 {part} 压缩比异常（{packed} 解压后声称 {size}），疑似“压缩炸弹”，未解压即拒绝",
            "overflow": "文件内部的 {part} 解压后比声明的大小更大，疑似“压缩炸弹”，已停止解压",
            "bounded": "文件内部的 {part} 解压后超过声明的大小或上限 {limit}，疑似“压缩炸弹”，已停止解压",
            "declared": "文件内部的 {part} 声明{what}为 {count}，远超文件的实际内容，拒绝读取",
            "duplicate-part": "文件内部有两个同名的部件 {part}（正常的工作簿不会这样），拒绝读取",
            "structure": "文件的内部结构异常（{what}），拒绝读取",
            "word:parts": "文件内部有 {count} 个部件（正常的 Word 文档只有十几个），拒绝读取",
            "word:duplicate-part": "文件内部有两个同名的部件 {part}（正常的 Word 文档不会这样），拒绝读取",
        },
        hints={"": _UNSAFE, "word": _UNSAFE_WORD},
    ),
    Kind(
        code="file-too-large",
        level=E,
        name="文件太大",
        meaning="文件或其解压后的内容超过 `--max-size` 上限",
        action="核对文件（评分表通常不到 1 MB）；确需处理时调高 `--max-size`",
        group="file",
        messages={
            "": "文件有 {size} MB，超过上限 {limit}，未读取",
            "inflated": "文件解压后有 {size}，超过上限 {limit}，未读取",
        },
        hints={
            "": "确认提交的文件正确（评分表和指标表通常不到 1 MB）；确需处理时用 --max-size 调高上限",
            "inflated": "确认文件内容正确（评分表和指标表通常不到 1 MB）；确需处理时用 --max-size "
            "调高上限，例如 --max-size {suggest}",
        },
    ),
    Kind(
        code="sheet-too-large",
        level=E,
        name="工作表太大",
        meaning="工作表超过 `--max-rows` 行，或从 A1 起超过 500 万个单元格（.ods 文件整个不读取，其他格式只跳过该表）",
        action="多为远处单元格误填：按 Ctrl+End 找到最后一个单元格，删去多余行列；确有这么多行时调高 `--max-rows`",
        group="file",
        messages={
            "": "工作表{why}，未读取",
            "whole": "工作表{why}，整个文件未读取",
            "declared": "工作表的尺寸记录声称{why}，整个文件未读取",
            "word": "文档中的表格共有 {rows:,} 行、{cells:,} 个单元格，超过上限"
            "（{max_rows:,} 行、{max_cells:,} 个单元格），未读取",
        },
        hints={
            "": _TOO_BIG,
            "word": "评分表通常只有几十行：请核对提交的文件；表格确有这么多行时用 --max-rows 调高上限",
        },
    ),
    Kind(
        code="sheet-unreadable",
        level=E,
        name="工作表已损坏",
        meaning="某个工作表内容损坏，无法读取（其他工作表照常读取）",
        action="另存为 .xlsx 后重新提交",
        group="file",
        messages={"": "工作表内容已损坏，无法读取"},
        hints={"": "在电子表格程序中打开并另存为 .xlsx 后重新提交"},
    ),
    Kind(
        code="empty-workbook",
        level=E,
        name="空白工作簿",
        meaning="工作簿没有工作表，或所有工作表都是空的",
        action="确认提交的是填好的文件，而不是新建的空白文件",
        group="file",
        messages={
            "": "工作簿是空的：所有工作表都没有任何内容",
            "no-sheets": "工作簿中没有任何工作表",
            "word": "Word 文档是空的：没有任何文字和表格",
        },
        hints={
            "": "确认提交的是填好的评分表或指标数据，而不是新建的空白文件",
            "no-sheets": "确认提交的是填好的评分表或指标数据",
            "word": "确认提交的是填好的评分表，而不是新建的空白文档",
        },
    ),
    Kind(
        code="unrecognised-file",
        level=W,
        name="未识别的文件",
        meaning="没有识别出评分表、指标、加减分或市考排名的表头，文件被忽略（Word 文档中有像评分表表头的表格时也是如此）",
        action="评分表需有“序号、考核内容、分值、自评分、核定分”表头行；指标表需有“单位”和指标名称列",
        group="file",
        messages={"": "没有识别出评分表、指标、加减分或市考排名表头，文件已忽略"},
    ),
    Kind(
        code="no-score-table",
        level=N,
        name="Word 文档中没有评分表",
        meaning="Word 文档中没有评分表（没有表格，或表格没有评分表的表头），多为年度报告等材料，未读取",
        action="其他材料放着不影响评分；如果这是评分表，表格需有评分表的表头行",
        group="file",
        messages={
            "": "Word 文档中没有评分表（表格没有评分表的表头），未读取",
            "no-table": "Word 文档中没有评分表（没有表格），未读取",
        },
        hints={
            "": "年度报告等材料放在这里不影响评分；如果这是评分表，"
            "表格需有“序号、考核内容、分值、自评分、核定分”表头行"
        },
    ),
    Kind(
        code="blank-annex-table",
        level=N,
        name="空白的附件表格未读取",
        meaning="Word 文档中的这张评分表没有填写任何分数，同一文档中另一张评分表填了分数，这张未读取",
        action="单位只需填写本单位的附件",
        group="file",
        messages={"": "这张评分表没有填写任何分数（同一文档中另一张评分表填写了分数），未读取"},
        hints={"": "各单位只需填写本单位的附件；文档中留着空白的附件表格不影响评分"},
    ),
    Kind(
        code="file-not-word",
        level=E,
        name="内容不是 Word 文档",
        meaning="扩展名是 .docx/.doc/.wps，内容却是 PDF、工作簿、纯文本等",
        action="可能改错了扩展名或交错了文件；评分表请提交 .docx 或 .xlsx",
        group="file",
        messages={"": "文件扩展名是 {suffix}，但内容不是 Word 文档（是{what}）"},
        hints={
            "": "可能改错了扩展名或提交错了文件；评分表请提交 .docx 或 .xlsx",
            "xlsx": "请把扩展名改为 .xlsx",
            "xls": "请把扩展名改为 .xls",
        },
    ),
    Kind(
        code="doc-no-converter",
        level=W,
        name="需要另存为 .docx",
        meaning=".doc/.wps 要先转换为 .docx 才能读取，本机没有安装 LibreOffice，未读取（若是评分表，该单位会报“未报送”）",
        action="在 Word 或 WPS 中选 文件 › 另存为 › Word 文档 (*.docx)，用另存的文件替换原文件；或安装 LibreOffice",
        group="file",
        messages={"": "这是{what}，要先转换为 .docx 才能读取，本机没有安装 LibreOffice，未读取"},
        hints={"": _SAVE_DOCX + "；或在本机安装 LibreOffice 后重新运行"},
    ),
    Kind(
        code="doc-conversion-failed",
        level=W,
        name="Word 文档转换失败",
        meaning="LibreOffice 转换 .doc/.wps 失败（文件损坏）或超时（一次转换 60 秒，同批每多一个文件加 10 秒；超时后逐个重试），未读取",
        action="同上：在 Word 或 WPS 中另存为 .docx",
        group="file",
        messages={
            "": "这是{what}，用 LibreOffice 转换为 .docx 时失败（文件可能已损坏），未读取",
            "timeout": "这是{what}，用 LibreOffice 转换为 .docx 超过 {seconds:g} 秒仍未完成，已停止，未读取",
        },
        hints={"": _SAVE_DOCX},
    ),
    Kind(
        code="file-crashed-reader",
        level=E,
        name="读取时程序意外终止",
        meaning="读取这个文件的进程意外终止（内容异常、超出内存上限或被系统终止），文件未读取；其余文件照常读取",
        action="用 Excel/WPS 打开后另存为新的 .xlsx 再提交；来历不明的文件交信息安全人员",
        group="file",
        messages={
            "": "读取这个文件时读取进程意外终止（{reason}），文件未读取",
        },
        hints={"": _UNSAFE},
    ),
    Kind(
        code="file-skipped",
        level=W,
        name="不是普通文件，未读取",
        meaning="文件夹中的命名管道、设备文件、失效或循环的快捷方式（符号链接）、指向文件夹的链接等，未读取（名称像电子表格的为警告，其他为提示）",
        action="把真正的文件（而不是链接）放进文件夹",
        group="file",
        messages={
            "": "这不是普通文件（{what}），未读取",
            "dangling": "这是指向不存在的文件的快捷方式（符号链接），未读取",
            "loop": "这是循环指向自身的快捷方式（符号链接），未读取",
            "folder-link": "这是指向其他文件夹的快捷方式（符号链接），其中的文件未读取",
            "unreadable": "无法查看这个文件（{reason}），未读取",
        },
        hints={
            "": "评分表请以普通文件的形式放进文件夹",
            "dangling": "链接指向的文件已被移走或删除；请把文件本身放进文件夹",
            "loop": "删除这个链接，把文件本身放进文件夹",
            "folder-link": "如需读取其中的文件，请把文件夹本身（而不是链接）放进来",
            "unreadable": "确认有读取权限",
        },
    ),
    Kind(
        code="output-folder-skipped",
        level=N,
        name="跳过以前的输出文件夹",
        meaning="子文件夹是 flowscore 以前写出的输出（按 results.json 的内容识别），其中的文件未读取",
        action="不需要处理；如不再需要，可把它移出材料文件夹",
        group="file",
        messages={"": "这是 flowscore 以前写出的结果文件夹，其中的文件未读取"},
        hints={"": "如不再需要，可把它移出材料文件夹"},
    ),
    Kind(
        code="output-file-skipped",
        level=N,
        name="跳过以前的输出文件",
        meaning="文件是 flowscore 以前写出的考核汇总、通报、反馈单或 results.json（按文档属性和内容识别，改了名、放在子文件夹中也一样），其中的排名、指标和分数是以前的结果，未读取；考核汇总在 Excel/WPS 中修改保存过的为警告",
        action="不需要处理；如不再需要，可把它移出材料文件夹",
        group="file",
        messages={
            "summary": "这是 flowscore 以前写出的考核汇总，不作为本次的材料读取",
            "resaved": "这是 flowscore 以前写出的考核汇总（之后在 Excel 或 WPS 中修改保存过），不作为本次的材料读取",
            "notice": "这是 flowscore 以前写出的考核结果通报，不作为本次的材料读取",
            "feedback": "这是 flowscore 以前写出的考核反馈单，不作为本次的材料读取",
            "results": "这是 flowscore 以前写出的结果文件（results.json），不作为本次的材料读取",
        },
        hints={
            "": "文件标题“{title}”；其中的排名、指标和分数是以前计算的结果，本次不采用。如不再需要，可把它移出材料文件夹",
            "resaved": "文件标题“{title}”；其中的指标、排名是以前的结果，本次不采用。本年度的指标数据请填在指标数据工作簿中（flowscore template --indicators 生成），加减分、市考排名也填在那里",
            "results": "其中是以前计算的结果，本次不采用；如不再需要，可把它移出材料文件夹",
        },
        levels={"resaved": W},
    ),
    # -- annex sheets --------------------------------------------------------------------------
    Kind(
        code="unknown-unit",
        level=E,
        name="单位不在名单中",
        meaning="盖章栏或数据行中的单位不在考核名单中（提示最相近的名称）",
        action="改为名单中的名称，或在评分细则中加别名",
        group="annex",
        messages={
            "": "单位“{written}”不在考核名单中，此行未采用",
            "seal": "盖章栏的单位“{written}”不在考核名单中，此表未计分",
        },
        hints={
            "": "最相近的名单单位：{close}",
            "seal": "最相近的名单单位：{close}；请改为名单中的名称，或在评分细则中加别名",
        },
    ),
    Kind(
        code="unit-from-filename",
        level=N,
        name="按文件名认定单位",
        meaning="盖章栏没写单位，按文件名认定",
        action="请在盖章栏填写单位名称",
        group="annex",
        messages={"": "盖章栏未填单位名称，按文件名认定为“{unit}”"},
    ),
    Kind(
        code="unit-unknown-sheet",
        level=E,
        name="不知道是哪个单位的表",
        meaning="盖章栏和文件名中都找不到名单中的单位，此表未计分",
        action="在盖章栏填写单位名称",
        group="annex",
        messages={"": "无法确定这份评分表属于哪个单位：盖章栏和文件名中都没有名单中的单位"},
        hints={"": "在盖章栏填写单位名称，如“镇（乡）街道(盖章)：月湖街道”"},
    ),
    Kind(
        code="scheme-mismatch",
        level=E,
        name="用了其他细则的模板",
        meaning="评分表由另一套评分细则的模板生成，其中的考核项目与本次细则的对不上（不到一半的项目序号和内容都相同），未读取；同一套考核另一版本的模板照常逐项读取（`scheme-other-version`）",
        action="用 `--rubric` 指定正确的细则，或改用本年度模板",
        group="annex",
        messages={
            "": "这份评分表由评分细则“{found}”的模板生成，考核项目与本次使用的“{used}”对不上（本次细则 {count} 个项目，表中只有 {matched} 个对得上），不是同一套考核的表，未读取"
        },
        hints={
            "": "用 --rubric 指定这份表所用的评分细则，或让单位改用本次细则的模板（flowscore template）重新填写"
        },
    ),
    Kind(
        code="scheme-other-version",
        level=N,
        name="按本次细则逐项读取",
        meaning="评分表由同一套考核另一版本的细则（如上一年度、复制前的细则）的模板生成，按序号和考核内容逐项对应到本次细则的项目；对不上的项目另有提示",
        action="核对另行提示的项目；以后请用本次细则的模板",
        group="annex",
        messages={
            "": "这份评分表由评分细则“{found}”的模板生成，本次使用“{used}”：已按序号和考核内容逐项对应（本次细则 {count} 个项目，表中对得上 {matched} 个）"
        },
        hints={
            "": "对不上的项目另有提示；以后请用本次细则生成的模板（flowscore template --rubric {used}）"
        },
    ),
    Kind(
        code="duplicate-unit",
        level=E,
        name="一个单位交了多份表",
        meaning="同一单位有两份以上评分表（列出全部文件），该单位暂不计分",
        action="只保留正确的一份",
        group="annex",
        messages={"": "“{unit}”有{count}份评分表：{files}，无法确定以哪份为准，该单位暂不计分"},
        hints={"": "只保留正确的一份，删去或移走其他的"},
    ),
    Kind(
        code="submission-unreadable",
        level=E,
        name="评分表无法读取",
        meaning="单位报送了评分表，但文件无法读取、读不出评分表，或这份表整张未读取（另一套考核的模板），该单位没有得分（不是未报送）",
        action="请该单位重新报送（整张未读取的表：先按那份表的问题处理）",
        group="annex",
        messages={
            "": "“{unit}”报送的评分表无法读取（{reason}），该单位暂无得分",
            "refused": "“{unit}”报送的评分表没有计分（{reason}），该单位暂无得分",
        },
        hints={
            "": "请该单位用 Excel 或 WPS 打开确认后另存，重新报送{annex}",
            # the option last: a unit's feedback drops that clause (writers/for_unit.py)
            "refused": "请该单位改用本次细则的模板重新报送{annex}；这份表本应按另一套细则计分时用 --rubric 指定它所用的细则",
        },
    ),
    Kind(
        code="missing-submission",
        level=E,
        name="未报送",
        meaning="名单中的单位没有提交评分表（未报送）",
        action="催报",
        group="annex",
        messages={"": "“{unit}”没有提交评分表（未报送）"},
        hints={"": "请该单位{deadline}报送{annex}"},
    ),
    Kind(
        code="unknown-item",
        level=E,
        name="序号不在评分表中",
        meaning="序号不在该单位评分表的考核项目中",
        action="检查是否用了其他单位的表",
        group="annex",
        messages={
            "": "序号 {no} 不在“{title}”（{unit}）的考核项目中",
            "numeral": "序号“{no}”是汉字数字，本次细则既有第 {guess} 项、又有以“{no}”编号的部分，不能确定是哪一项，此行未采用",
        },
        hints={
            "": "该表的序号应为 1–{count}；检查是否用了其他单位的表",
            "numeral": "把序号改为评分细则中的写法（如 {guess}）",
        },
    ),
    Kind(
        code="item-numeral",
        level=N,
        name="汉字序号已按数字读取",
        meaning="序号写成汉字数字（“三”），评分细则中是阿拉伯数字（3）且没有歧义，已按数字读取",
        action="以后请用阿拉伯数字填写序号",
        group="annex",
        messages={"": "序号写的是“{no}”，已按第 {to} 项（{short}）读取"},
        hints={"": "以后请用阿拉伯数字填写序号（{to}）"},
    ),
    Kind(
        code="item-renumbered",
        level=W,
        name="序号与本次细则不同",
        meaning="另一版本细则的评分表中，某行的序号在本次细则中是另一项，它的考核内容与本次细则的另一序号相同，已按考核内容对应",
        action="核对这一行；以后请用本次细则的模板",
        group="annex",
        messages={
            "": "{row}的序号是 {no}，考核内容与本次细则的序号 {to}（{short}）相同，已按序号 {to} 读取"
        },
        hints={"": "两版细则的序号不同：核对这一行的分数是否属于序号 {to}；以后请用本次细则的模板"},
    ),
    Kind(
        code="max-differs",
        level=W,
        name="分值与本次细则不同",
        meaning="另一版本细则的评分表上印的分值与本次细则不同，按本次细则的分值计分",
        action="核对自评分；以后请用本次细则的模板",
        group="annex",
        messages={
            "": "序号 {no}（{short}）在评分表上的分值是 {written}，本次细则是 {max}，按本次细则的 {max} 分计分"
        },
        hints={"": "核对自评分是否按 {max} 分填写；以后请用本次细则生成的模板"},
    ),
    Kind(
        code="annex-other-year",
        level=W,
        name="不是本年度的评分表",
        meaning="评分表标题写的是另一个年度（如本次考核 2019 年度，标题是“2018年度…考核评分表”），多为沿用了往年的表；表中分数仍按序号读取",
        action="请该单位用本年度的评分表重新填写；只是标题写错的，改正即可",
        group="annex",
        messages={"": "评分表标题是“{title}”，是 {found} 年度的表，本次考核是 {year} 年度"},
        hints={
            "": "可能沿用了往年的表（表中分数仍按序号读取）：请该单位用 {year} 年度的评分表（flowscore template 生成）重新填写；如只是标题年份写错，改正后重新运行"
        },
    ),
    Kind(
        code="no-self-scores",
        level=W,
        name="没有填写自评分",
        meaning="评分表中全部项目的自评分都是空的（自评分和核定分都空时，多为交回了空白表）",
        action="请该单位填写自评分后重新报送",
        group="annex",
        messages={
            "": "评分表中全部 {count} 个项目的{slabel}都是空的",
            "blank": "评分表中全部 {count} 个项目的{slabel}和{vlabel}都是空的，像是交回了空白的评分表",
        },
        hints={
            "": "请该单位填写{slabel}后重新报送（{slabel}不代替{vlabel}，但反馈和核对都要用到）",
            "blank": "确认这是不是该单位填好的表：请该单位填写{slabel}后重新报送",
        },
    ),
    Kind(
        code="duplicate-item",
        level=E,
        name="序号重复",
        meaning="同一序号出现两次，以第一次为准",
        action="删去重复的行",
        group="annex",
        messages={"": "序号 {no} 出现了两次（{first}和{second}），以第一次为准"},
    ),
    Kind(
        code="item-missing",
        level=W,
        name="缺少项目",
        meaning="评分表中缺少某个序号",
        action="核对是否删掉了行或序号写错",
        group="annex",
        messages={
            "": "评分表中找不到序号 {no}（{short}）",
            "version": "评分表中没有序号 {no}（{short}）：这份表按评分细则“{found}”的模板制作，本次细则“{used}”有这一项",
        },
        hints={
            "version": "考核组在表中补上这一行（序号 {no}）并填写分数，或请单位改用本次细则的模板",
        },
    ),
    Kind(
        code="unmatched-row",
        level=E,
        name="对不上项目的行",
        meaning="没有序号的行无法按考核内容文字对应到项目",
        action="从评分细则原文复制该行文字，或补上序号",
        group="annex",
        messages={
            "": "{row}“{text}…”对不上评分细则中的任何一项，此行未采用",
            "ambiguous": "{row}的文字同样接近序号 {first} 和 {second}，无法确定是哪一项，此行未采用",
            "version": "{row}（序号 {no}“{text}”）在本次细则“{used}”中没有对应的项目（已删除或改写），此行未采用",
        },
        hints={
            "version": "两版细则的这一项不同：核对本次细则；该行的分数不计入",
        },
        levels={"version": W},
    ),
    Kind(
        code="text-match-limit",
        level=E,
        name="按文字对应的行太多",
        meaning="没有序号的行太多或文字太长，超过每个文件按文字对应的工作量上限，其余的行未采用",
        action="补上序号，或从评分细则原文复制考核内容文字",
        group="annex",
        messages={
            "": "没有序号、需按文字对应的行超过了每个文件的工作量上限，从{row}起的行未对应，未采用",
        },
        hints={"": "补上序号列，或删去多余的长文字行"},
    ),
    Kind(
        code="bad-score",
        level=E,
        name="分数不是数字",
        meaning="分数不是数字：文字（“良好”）、带单位（“35分”）、负数、百分数、公式错误值（`#DIV/0!`、`#REF!`），未采用",
        action="只填数字，如 4 或 4.5",
        group="annex",
        messages={"": "{column}{problem}，未采用"},
        hints={"": "只填数字，如 4 或 4.5（不要带“分”等文字）"},
    ),
    Kind(
        code="score-out-of-range",
        level=E,
        name="核定分超出范围",
        meaning="核定分超出 0 到分值的范围（±项为正负分值），未采用",
        action="按分值填写",
        group="annex",
        messages={"": "{label}核定分 {entered} 超出范围 {low}～{high}，未采用"},
        hints={"": "核定分应在 0 到分值之间（±项在正负分值之间）"},
    ),
    Kind(
        code="score-not-allowed",
        level=E,
        name="核定分不是允许的档次",
        meaning="核定分不是评分标准允许的档次",
        action="按扣分档次填写",
        group="annex",
        messages={
            "": "{label}核定分 {entered} 不是评分标准允许的分数（{allowed}），未采用",
            "duties": "{label}核定分 {entered} 与考核组核查的职责扣分对不上（可能的得分：{allowed}），未采用",
        },
        hints={
            "": "按评分标准的扣分档次填写",
            "duties": "按计算上限减去未落实职责的扣分填写",
        },
    ),
    Kind(
        code="self-above-max",
        level=W,
        name="自评分高于分值",
        meaning="自评分高于分值，且备注没有说明理由",
        action="在备注中写明加分理由",
        group="annex",
        messages={"": "{label}自评分 {self_score} 高于分值 {max}，且未说明理由"},
        hints={"": "自评分一般不高于分值标准；高于时须在备注中说明加分理由"},
    ),
    Kind(
        code="self-above-max-with-reason",
        level=N,
        name="自评分高于分值（有理由）",
        meaning="自评分高于分值，备注已说明理由",
        action="核定时参考",
        group="annex",
        messages={"": "{label}自评分 {self_score} 高于分值 {max}，备注说明：{remark}"},
        hints={"": "考核组核定时参考该理由"},
    ),
    Kind(
        code="self-out-of-range",
        level=W,
        name="自评分低于下限",
        meaning="自评分低于下限",
        action="核对自评分",
        group="annex",
        messages={"": "{label}自评分 {self_score} 低于下限 {min}"},
    ),
    Kind(
        code="pending",
        level=W,
        name="待核定",
        meaning="考核组核定项没有可用的核定分，该单位得分暂定（自评分从不代替核定分）；说明写明表上实际是什么：空白、不是分数的内容（“90%”）、合并单元格、评分表中没有这一行",
        action="填写核定分；`--strict` 时视为失败",
        group="annex",
        messages={
            "": "{label}尚未核定（{vlabel}为空），该单位得分暂定",
            "not-a-score": "{label}尚未核定（{vlabel}“{text}”不是分数），该单位得分暂定",
            "merged": "{label}尚未核定：{vlabel}单元格与 {first} 合并为一格，分数只记在 {first}，该单位得分暂定",
            "no-row": "{label}尚未核定：评分表中没有这一项（删掉了这一行或序号写错），该单位得分暂定",
            "new-item": "{label}尚未核定：这份评分表按评分细则“{found}”制作，没有本次细则“{used}”的这一项，该单位得分暂定",
        },
        hints={
            "": _PENDING_HINT,
            "not-a-score": "{vlabel}只填数字，如 4 或 4.5；--strict 时视为错误",
            "merged": "取消合并单元格，在每一项的{vlabel}栏分别填写分数；--strict 时视为错误",
            "no-row": "在评分表中补上这一行（序号 {no}）并填写{vlabel}；--strict 时视为错误",
            "new-item": "考核组在评分表中补上这一行（序号 {no}）并填写{vlabel}，或请单位改用本次细则的模板；--strict 时视为错误",
        },
    ),
    Kind(
        code="computed-differs",
        level=W,
        name="核定分与计算值不同",
        meaning="计算项填了不同的核定分且没写理由，以计算值为准",
        action="确需改写时在备注中写明理由",
        group="annex",
        messages={"": "{label}填写的核定分 {entered} 与计算值 {computed} 不同，以计算值为准"},
        hints={"": "如确需改写，请在备注中写明理由"},
    ),
    Kind(
        code="override",
        level=N,
        name="核定改写",
        meaning="计算项的核定分与计算值不同，备注写明了理由，按核定分采用",
        action="改写以考核组填写的理由为准，请确认",
        group="annex",
        messages={
            "": "{label}核定分 {entered} 改写了计算值 {computed}，理由：{remark}",
            "ceiling": "{label}核定分 {entered} 高于计算上限 {computed}，按理由采用：{remark}",
        },
    ),
    Kind(
        code="above-ceiling",
        level=W,
        name="核定分高于计算上限",
        meaning="核定分高于按计算扣分得出的上限，且备注没有写明理由：以计算上限为准",
        action="确需高于上限时在备注中写明理由",
        group="annex",
        messages={
            "": "{label}核定分 {entered} 高于计算上限 {ceiling}，且未写明理由，以计算上限为准"
        },
        hints={"": "计算部分是固定扣分，核定分不能高于上限；确需改写时在备注中写明理由"},
    ),
    Kind(
        code="assessor-conflict",
        level=E,
        name="核定分不一致",
        meaning="多个成员单位对同一项给出不同的核定分，该项待核定（核定登记表为该项登记了核定分的，以登记为准，只作提示）",
        action="由负责单位确认后只保留一个",
        group="annex",
        messages={
            "": "序号 {no} 有不同的核定分：{who}，该项待核定",
            "settled": "序号 {no} 有不同的核定分：{who}；已由核定登记表确定",
        },
        hints={
            "": "由负责单位确认后只保留一个核定分（或在核定登记表中写明理由登记）",
            "settled": "以核定登记表为准；请确认登记的理由",
        },
        levels={"settled": N},
    ),
    Kind(
        code="scored-by-non-owner",
        level=W,
        name="非负责单位打分",
        meaning="非负责单位填写了核定分，未采用",
        action="只填写本单位负责的项目",
        group="annex",
        messages={
            "": "序号 {no} 由{owner}负责评分，{assessor}填写的核定分 {entered} 未采用",
            "own": "序号 {no} 由{owner}负责评分，单位自查表上填写的核定分 {entered} 未采用",
        },
        hints={
            "": "请{assessor}只填写本单位负责的项目",
            "own": "该项的核定分以{owner}的实地检查评分表为准；自查表只填自评分",
        },
    ),
    Kind(
        code="no-self-check",
        level=W,
        name="缺少自查自评表",
        meaning="只有成员单位的检查评分表，没有单位自己的自查自评表",
        action="请该单位报送自评表",
        group="annex",
        messages={"": "“{unit}”只有成员单位的检查评分表，没有自查自评表"},
        hints={"": "请该单位报送自查自评表（自评分）"},
    ),
    # -- indicators, entries, city ranking -----------------------------------------------------
    Kind(
        code="no-indicators",
        level=E,
        name="没有指标数据",
        meaning="文件夹中没有指标数据表，计算项无法计算",
        action="用 `flowscore template --indicators` 生成并填写",
        group="data",
        messages={"": "文件夹中没有找到指标数据表（表头含“单位”和指标名称）"},
        hints={"": "用 flowscore template --indicators 生成指标数据工作簿，填好后放入文件夹"},
    ),
    Kind(
        code="bad-indicator",
        level=E,
        name="指标值不对",
        meaning="指标值不是合适的数字（文字、负数、小数人数、公式错误值等），未采用",
        action="按提示的格式填写",
        group="data",
        messages={"": "指标“{name}”{problem}，未采用"},
        hints={
            "": "填数字",
            "yes_no": "填“是”或“否”",
            "rate": "填百分数，如 27.5% 或 0.275",
            "count": "填非负整数，如 2750（可带千分位逗号）",
        },
    ),
    Kind(
        code="missing-indicator",
        level=E,
        name="缺少指标",
        meaning="计算某项所需的指标缺失，该项待核定",
        action="在指标数据表中补上",
        group="data",
        messages={"": "{label}无法计算：{reason}，该项待核定"},
        hints={"": "在指标数据表中补上该单位的这项指标"},
    ),
    Kind(
        code="zero-denominator",
        level=W,
        name="比率的分母为0",
        meaning="比率的分母为 0，无法计算，该项待核定，不参与排名",
        action="核对指标数据",
        group="data",
        messages={"": "{label}无法计算：{reason}，该项待核定"},
        hints={"": "核对指标数据；分母为0时比率无法计算，该项待核定"},
    ),
    Kind(
        code="conflicting-indicator",
        level=E,
        name="指标值前后不一",
        meaning="同一单位同一指标出现两个不同的值，以先读到的为准",
        action="只保留正确的值",
        group="data",
        messages={"": "指标“{name}”有两个不同的值：{old}（{where}）和 {new}，以前者为准"},
        hints={"": "只保留正确的一个值"},
    ),
    Kind(
        code="duplicate-column",
        level=E,
        name="指标列重复",
        meaning="同一指标有两列，以第一列为准",
        action="删去重复的列",
        group="data",
        messages={"": "指标“{name}”有两列，以第一列为准"},
    ),
    Kind(
        code="duplicate-row",
        level=E,
        name="单位行重复",
        meaning="同一单位有两行指标（或两行市考排名），以第一行为准",
        action="删去重复的行",
        group="data",
        messages={
            "": "“{unit}”有两行指标（第{first}行和{second}），以第一行为准",
            "rank": "“{unit}”的市考排名出现两次（另见 {where}），以第一次为准",
        },
    ),
    Kind(
        code="entry-no-unit",
        level=E,
        name="加减分没填单位",
        meaning="加减分记录没有填单位，未采用",
        action="填写单位名称",
        group="data",
        messages={"": "加减分记录没有填写单位，未采用"},
    ),
    Kind(
        code="bad-entry",
        level=E,
        name="加减分填写不对",
        meaning="加减分的分值或类型不正确，此条未采用",
        action="分值只填数字；类型填“加分”或“减分”",
        group="data",
        messages={
            "points": "加减分分值{problem}，此条未采用",
            "type": "类型“{type}”应为“加分”或“减分”，此条未采用",
            "sign": "类型为加分，分值却是负数 {points}，此条未采用",
        },
        hints={
            "points": "分值只填数字，如 5 或 -5",
            "type": "类型填“加分”或“减分”",
            "sign": "加分填正数；扣分请把类型改为“减分”",
        },
    ),
    Kind(
        code="entry-out-of-range",
        level=E,
        name="加减分超出范围",
        meaning="加减分分值超出允许范围，此条未计入",
        action="按评分细则的范围填写",
        group="data",
        messages={"": "{kind} {points} 分超出每项 {low}～{high} 分的范围，此条未计入"},
        hints={"": "按考核办法，每项{kind}{low}～{high}分"},
    ),
    Kind(
        code="entry-not-allowed",
        level=E,
        name="该表没有这类加减分",
        meaning="该单位的评分表没有这类加分或减分项目",
        action="删去这条记录",
        group="data",
        messages={"": "{title}没有{kind}项目，此条未计入"},
    ),
    Kind(
        code="bad-rank",
        level=E,
        name="排名填写不对",
        meaning="排名或并列数不是正整数",
        action="排名填 1、2、3……；没有并列填 1 或留空",
        group="data",
        messages={
            "": "排名“{rank}”不是正整数，未采用",
            "tied": "并列数“{tied}”不是正整数，未采用",
            "table": "{label}无法计算：{reason}，该项待核定",
        },
        hints={
            "": "排名填 1、2、3……",
            "tied": "没有并列填 1 或留空；两个单位并列填 2",
            "table": "核对排名和并列数",
        },
    ),
    Kind(
        code="missing-rank",
        level=E,
        name="缺少市考排名",
        meaning="需要市考排名的单位没有排名，该项待核定",
        action="在“市考排名”表中填写",
        group="data",
        messages={
            "": "{label}无法计算：“市考排名”表中没有这个单位（{reason}），该项待核定",
            "no-sheet": "{label}无法计算：材料中没有“市考排名”表（{reason}），该项待核定",
        },
        hints={
            "": "在“市考排名”表中加一行：单位、排名、并列数",
            "no-sheet": "用 flowscore template --indicators 生成的指标数据工作簿里有“市考排名”表，"
            "填好后放入文件夹",
        },
    ),
    # -- rubric files --------------------------------------------------------------------------
    *(
        Kind(
            code=code,
            level=level,
            name=name,
            meaning=meaning,
            action=action,
            group="rubric",
            messages={"": "{detail}"},
            hints={"": "{fix}"},
        )
        for code, level, name, meaning, action in (
            ("rubric-syntax", E, "细则文件语法错误", "TOML 语法错误", "按报告的行列修正文件"),
            (
                "rubric-unreadable",
                E,
                "细则文件无法读取",
                "文件不存在、无法打开或不是 UTF-8 编码",
                "确认文件存在且为 UTF-8 编码",
            ),
            ("rubric-missing-key", E, "细则缺少必填项", "缺少必填的项", "补上这一项"),
            ("rubric-unknown-key", E, "细则中有未知的项", "多出的项（多为拼写错误）", "检查拼写"),
            ("rubric-bad-value", E, "细则取值不对", "取值的类型或写法不对", "检查取值的写法"),
            (
                "rubric-bad-range",
                E,
                "细则分值范围不对",
                "下限大于上限，或允许的分数不在范围内",
                "核对上下限",
            ),
            ("rubric-duplicate", E, "细则中有重复", "序号或指标重复定义", "删去重复的一个"),
            (
                "rubric-unit-twice",
                E,
                "单位重复出现",
                "同一单位在名单中出现两次",
                "一个单位只能属于一个类别",
            ),
            (
                "rubric-unknown-ref",
                E,
                "细则引用不存在",
                "引用了不存在的加减分项、排名折算表、分类或负责单位",
                "先定义被引用的对象",
            ),
            (
                "rubric-unknown-sheet",
                E,
                "引用了不存在的评分表",
                "单位或指标引用了不存在的评分表",
                "检查评分表编号",
            ),
            (
                "rubric-unknown-indicator",
                E,
                "引用了未定义的指标",
                "计分规则或公式引用了未定义的指标",
                "在 [[indicators]] 中定义它",
            ),
            (
                "rubric-unknown-kind",
                E,
                "未知的计分规则类型",
                "计分规则的 kind 不是已有的类型",
                "改为已有的规则类型",
            ),
            (
                "rubric-unknown-mode",
                E,
                "未知的计分方式",
                "考核项目的 mode 不是 computed / assessor / ceiling_assessor",
                "改为已有的计分方式",
            ),
            ("rubric-unknown-param", E, "计分规则参数不对", "计分规则没有这个参数", "检查参数名"),
            (
                "rubric-missing-param",
                E,
                "计分规则缺少参数",
                "计分规则缺少必需的参数",
                "补上这个参数",
            ),
            (
                "rubric-bad-formula",
                E,
                "派生指标公式不对",
                "公式只能用指标名称、数字、+ − × ÷ 和括号",
                "改写公式",
            ),
            (
                "rubric-sum-mismatch",
                W,
                "分值合计与总分不符",
                "评分表各项分值合计与总分不符。文件原样如此的保留",
                "如为文件原样公布，保留即可",
            ),
            (
                "rubric-category-sum",
                W,
                "分类分值不符",
                "分类分值与其下各项分值合计不符；扣分的分类，其下限各项合计达不到",
                "核对各项的 max 或 min",
            ),
            (
                "rubric-category-unused",
                W,
                "分类下没有项目",
                "分类下没有考核项目",
                "检查考核项目的 category 是否写对",
            ),
            (
                "rubric-range-overlap",
                W,
                "规则重叠",
                "同一项目的两条规则判断同一个指标（如“低于90%扣2分”“低于80%扣4分”），低于两个目标时会重复扣分；分档扣分请写成互不重叠的规则",
                "分档扣分应写成互不重叠的规则",
            ),
            (
                "rubric-unit-no-tier",
                E,
                "单位没有类别",
                "某个类别缺少编号或基本分，其下的单位没有类别，不会参加考核",
                "补全该类别的 id 和 base",
            ),
            (
                "rubric-tier-empty",
                W,
                "类别下没有单位",
                "类别下没有任何单位",
                "列出单位，或删去该类别",
            ),
            (
                "rubric-sheet-unused",
                W,
                "评分表没有单位使用",
                "评分表没有任何单位使用",
                "在 tiers 的 units 中指定 sheet",
            ),
            (
                "rubric-allowed-no-max",
                W,
                "允许的核定分中没有满分",
                "允许的核定分中没有满分，该项无法得满分",
                "在 allowed 中加上分值",
            ),
            (
                "rubric-allowed-duplicate",
                W,
                "允许的核定分重复",
                "允许的核定分有重复",
                "删去重复的分数",
            ),
            (
                "rubric-indicator-unused",
                W,
                "指标没有被使用",
                "定义了指标，但没有规则使用它（指标数据表会多出一列没用的数据）",
                "删去它，或在计分规则中引用它",
            ),
            (
                "rubric-alias-clash",
                W,
                "别名冲突",
                "同一个名称同时是两个指标的名称或别名，读取时只认前一个",
                "删去或改写其中一个别名",
            ),
            (
                "rubric-header-clash",
                W,
                "表头冲突",
                "同一个表头同时表示两种列",
                "一个表头只能表示一种列",
            ),
            (
                "rubric-owner-no-assessors",
                W,
                "没有列出成员单位",
                "项目指定了负责单位，但细则没有列出成员单位，名称无法核对",
                "在顶层 assessors 中列出成员单位",
            ),
            (
                "rubric-id-filename",
                W,
                "编号与文件名不同",
                "编号与文件名不同，按模板自动识别细则时会找不到",
                "把文件名改为“编号.toml”",
            ),
        )
    ),
)

# -- the assessor's register, runs and years (issue #16): kept in ``catalog_register.py`` ------
_KINDS = (*_KINDS, *REGISTER_KINDS)

CATALOG: Mapping[str, Kind] = {k.code: k for k in _KINDS}
if len(CATALOG) != len(_KINDS):  # pragma: no cover - caught by the first test run
    raise RuntimeError("flowscore.catalog: a code is defined twice")


def kind(code: str) -> Kind:
    return CATALOG[code]


# What one field of a message may quote: a cell's text is clipped by the reader already, but a
# list of names (10,000 sheets of one unit) or a long path must not make a message of 200,000
# characters. A list joined with "、" keeps its first names and says how many there are.
FIELD_MAX = 200
MESSAGE_MAX = 1000
SHEET_MAX = 100


def capped(value: object, limit: int = FIELD_MAX) -> object:
    """``value`` as a message may quote it: long text clipped, long lists shortened (等 N 个)."""
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    if not isinstance(value, str) or len(value) <= limit:
        return value
    if "、" in value:
        names = value.split("、")
        kept: list[str] = []
        used = 0
        for name in names:
            if kept and used + len(name) > limit:
                break
            kept.append(name if len(name) <= limit else name[:limit] + "…")
            used += len(name) + 1
        return "、".join(kept) + f"等 {len(names):,} 个"
    return clip(value, limit)


def finding(
    code: str,
    variant: str = "",
    *,
    file: str = "",
    sheet: str = "",
    cell: str = "",
    unit: str = "",
    key: str = "",
    **fields: object,
) -> Finding:
    """The finding of kind ``code`` (in its ``variant``) at a place, worded from its patterns."""
    k = CATALOG[code]
    values = {"unit": capped(unit), **{key: capped(v) for key, v in fields.items()}}
    message = k.message(variant, values)
    hint = k.hint(variant, values)
    if len(message) > MESSAGE_MAX:
        message = message[:MESSAGE_MAX] + "…"
    if len(hint) > MESSAGE_MAX:
        hint = hint[:MESSAGE_MAX] + "…"
    return Finding(
        code=code,
        level=k.level_of(variant),
        message=message,
        hint=hint,
        file=file,
        sheet=sheet if len(sheet) <= SHEET_MAX else str(capped(sheet, SHEET_MAX)),
        cell=cell,
        unit=unit,
        key=key,
    )


def name_of(code: str) -> str:
    """The Chinese name of a problem kind (the code itself for one not in the catalog)."""
    k = CATALOG.get(code)
    return k.name if k else code
