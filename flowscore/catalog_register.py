"""The problem kinds of issue #16 — the assessor's register (核定登记表), ranks moved by it,
comparing runs and years, templates that were altered — kept apart from ``catalog.py`` so the
two can change without touching each other; ``catalog.CATALOG`` holds them like the others.

A register entry is the office's own word on an item: it is used only when it says who
entered it (核定人), and a reason (理由) wherever a sheet's 核定分 would need one (replacing a
computed value, going above a computed ceiling) and wherever it overrides a member
department's own item (the provincial scheme)."""

from __future__ import annotations

from flowscore.findings import Level
from flowscore.problem_kind import Kind

_REG_HINT = "在核定登记表中改正这一行后重新运行；不需要的行请整行删去"
_DATE_HINT = "日期写成 2019-12-16 或 2019年12月16日（也可以是 Excel 的日期格式）"

REGISTER_KINDS: tuple[Kind, ...] = (
    Kind(
        code="register-bad-entry",
        level=Level.ERROR,
        name="登记填写不对",
        meaning="核定登记表的一行缺少单位、项目、核定分或核定人，项目不在该单位的评分表中，"
        "或核定分不是数字、超出范围、不是允许的档次：此条未采用（分数有问题的，该项待核定）",
        action=_REG_HINT,
        group="register",
        messages={
            "score": "核定登记表第{row}行的核定分{problem}，此条未采用",
            "no-score": "核定登记表第{row}行填了单位和项目，但核定分为空，此条未采用",
            "no-item": "核定登记表第{row}行没有填序号/项目，此条未采用",
            "unknown-item": "核定登记表第{row}行的项目“{written}”不是{unit}评分表（{title}，共{count}项）中的项目，此条未采用",
            "ambiguous-item": "核定登记表第{row}行的项目“{written}”可对应多个项目（{candidates}），此条未采用",
            "no-unit": "核定登记表第{row}行没有填单位，此条未采用",
            "no-assessor": "{label}的登记（核定登记表第{row}行）没有填写核定人，此条未采用",
            "range": "{label}登记的核定分 {entered} 超出范围 {low}～{high}（核定登记表第{row}行），未采用，该项待核定",
            "allowed": "{label}登记的核定分 {entered} 不是评分标准允许的分数（{allowed}）（核定登记表第{row}行），未采用，该项待核定",
            "duties": "{label}登记的核定分 {entered} 与考核组核查的职责扣分对不上（可能的得分：{allowed}）（核定登记表第{row}行），未采用，该项待核定",
        },
        hints={
            "score": "只填数字，如 4 或 4.5（不要带“分”等文字）",
            "no-score": "填写核定分；不需要的行请整行删去",
            "no-item": "从下拉列表选择项目，或填序号（如 4）",
            "unknown-item": "从下拉列表选择项目，或填该单位评分表上的序号（如 4）",
            "ambiguous-item": "填序号（如 4），或从下拉列表选择项目",
            "no-unit": "从下拉列表选择单位",
            "no-assessor": "每一条登记都要写明核定人：没有名字的分数不采用",
            "range": "核定分应在 0 到分值之间（±项在正负分值之间）",
            "allowed": "按评分标准的扣分档次填写",
            "duties": "按计算上限减去未落实职责的扣分填写",
        },
    ),
    Kind(
        code="register-bad-date",
        level=Level.WARNING,
        name="登记日期无法识别",
        meaning="核定登记表的日期为空或无法识别；登记照常采用，日期显示为“未填”",
        action=_DATE_HINT,
        group="register",
        messages={
            "": "{label}的登记日期“{written}”无法识别（核定登记表第{row}行），登记照常采用",
            "empty": "{label}的登记没有填写日期（核定登记表第{row}行），登记照常采用",
        },
    ),
    Kind(
        code="register-no-reason",
        level=Level.ERROR,
        name="登记没有写理由",
        meaning="登记改写了计算值、高于计算上限，或改动了成员单位负责的项目，却没有写理由：未采用",
        action="在“理由”栏写明理由后重新运行",
        group="register",
        messages={
            "computed": "{label}按指标计算为 {computed}，核定登记表第{row}行登记为 {entered}，但没有写理由，未采用，以计算值为准",
            "ceiling": "{label}核定登记表第{row}行登记的 {entered} 高于计算上限 {computed}，但没有写理由，未采用，以计算上限为准",
            "owner": "{label}由{owner}负责评分，核定登记表第{row}行登记的 {entered} 没有写理由，未采用",
        },
        hints={
            "": "改写计算值、高于计算上限或改动成员单位负责的项目，都要在“理由”栏写明理由",
        },
    ),
    Kind(
        code="register-conflict",
        level=Level.ERROR,
        name="登记的核定分不一致",
        meaning="同一单位同一项目在核定登记表中有两个不同的核定分（指出两行），该项待核定",
        action="核实后删去错误的一行，只保留一个核定分",
        group="register",
        messages={"": "{label}在核定登记表中有两个不同的核定分：{first}；{second}，该项待核定"},
    ),
    Kind(
        code="register-repeated",
        level=Level.INFO,
        name="同一项目登记两次",
        meaning="同一单位同一项目在核定登记表中登记了两次，分数相同，按一次计",
        action="可删去重复的一行",
        group="register",
        messages={"": "{label}在核定登记表中登记了两次（{rows}），分数相同（{entered}），按一次计"},
    ),
    Kind(
        code="register-used",
        level=Level.INFO,
        name="按核定登记表采用",
        meaning="一项的核定分来自核定登记表：写明改动前后的分数、核定人、日期和理由",
        action="核对登记是否正确",
        group="register",
        messages={"": "{label}按核定登记表采用 {after} 分（原为{before}；{who}）"},
    ),
    Kind(
        code="register-unit-unscored",
        level=Level.WARNING,
        name="登记的单位不计分",
        meaning="核定登记表为未报送评分表（或交了多份评分表）的单位登记了核定分：登记不会使这样的单位得分，未计入",
        action="请该单位报送评分表（多份的只保留一份）后重新运行",
        group="register",
        messages={
            "missing": "{unit}没有报送评分表，核定登记表中的 {count} 条登记（{items}）未计入：登记不会使未报送的单位得分",
            "duplicate": "{unit}有多份评分表，暂不计分，核定登记表中的 {count} 条登记（{items}）未计入",
        },
    ),
    Kind(
        code="rank-moved",
        level=Level.WARNING,
        name="名次因登记或改写而变化",
        meaning="核定登记表的登记或评分表上的核定改写改变了类别内的名次（与不采用它们相比），列出名次变化的单位和变化了几名",
        action="核对这些登记和改写的理由",
        group="register",
        messages={"": "{tier}中，{moves}（与不采用核定登记表和核定改写时相比）"},
        hints={"": "箭头前是不采用核定登记表和核定改写时的名次；请核对这些登记和改写的理由"},
    ),
    Kind(
        code="compare-rubric",
        level=Level.INFO,
        name="上年用的是另一版细则",
        meaning="`--compare` 给出的上年结果用的是另一份（或另一版）评分细则：只比较分值和评分标准都相同的项目",
        action="不需要处理；不可比的项目在比较中写明原因",
        group="register",
        messages={
            "": "上年结果用的是评分细则“{old}”，本年是“{new}”：只比较分值和评分标准都相同的项目",
        },
    ),
    Kind(
        code="template-altered",
        level=Level.WARNING,
        name="模板被改动",
        meaning="由 flowscore 模板生成的评分表被改动：分值与评分细则不符（以细则为准），行被删去或增加；"
        "或由另一版（另一年度）的评分细则生成（提示，逐项写明与本次细则的不同）",
        action="用本次的评分细则重新生成模板发给该单位，或核对改动",
        group="annex",
        messages={
            "max": "{label}的分值写的是 {written}，评分细则为 {max}，以评分细则为准",
            "rows": "此表由 flowscore 模板生成，但行被改动：{changes}",
            "version": "此表由另一版评分细则“{scheme}”生成（模板记录的细则内容与本次使用的不同）{detail}",
        },
        hints={
            "max": "分值以评分细则为准；请勿改动模板上的分值",
            "rows": "请勿删去或增加模板的行；用 flowscore template 重新生成模板",
            "version": "用本次的评分细则重新生成模板（flowscore template）发给该单位",
        },
        levels={"version": Level.INFO},
    ),
)
