"""A scored batch built by hand (no scoring involved), for the writers' tests: three tiers,
a pending item, a missing unit, an override, bonus and penalty entries, text that would be a
formula in a spreadsheet and a unit name that tries to leave its folder."""

from __future__ import annotations

from decimal import Decimal

from flowscore.findings import Finding, Level, Report
from flowscore.inputs.records import InputFile
from flowscore.results import BatchResult, Entry, IndicatorRow, ItemResult, UnitResult

D = Decimal
INJECTED = '=HYPERLINK("x")'
EVIL = "../../evil"


def _item(
    no: int,
    short: str,
    mx: str,
    *,
    self_score: str | None,
    verified: str | None,
    source: str = "computed",
    explanation: str = "",
    mn: str = "0",
    remark: str = "",
) -> ItemResult:
    return ItemResult(
        no=no,
        short=short,
        text=f"{short}（全文）",
        max=D(mx),
        min=D(mn),
        max_label=("±" + mx) if D(mn) < 0 else mx,
        mode="assessor" if source in ("assessor", "pending") else "computed",
        self_score=None if self_score is None else D(self_score),
        entered=None,
        remark=remark,
        verified=None if verified is None else D(verified),
        computed=None if verified is None else D(verified),
        source=source,  # type: ignore[arg-type]
        explanation=explanation or f"{short}：核定 {verified}",
        cell=f"E{no + 4}",
    )


def _town_items(v1: str, v2: str, v4: str | None) -> tuple[ItemResult, ...]:
    return (
        _item(
            1,
            "工作报备",
            "5",
            self_score="5",
            verified=v1,
            explanation=f"未报备发文 1 件，每件扣 2 分：5 − 2 = {v1}",
        ),
        _item(
            2,
            "新型居住证",
            "40",
            self_score="38",
            verified=v2,
            explanation="居住证申领率 27.50%，低于 30% 目标 2.50 个百分点，扣 2.50 分\n"
            f"电子居住证申领率 7.50%，扣 2.50 分；合计 40 − 5.00 = {v2}",
        ),
        _item(
            4,
            "群租房管理",
            "15",
            self_score="15",
            verified=v4,
            source="assessor" if v4 is not None else "pending",
            explanation="核定分由考核组填写" if v4 is not None else "尚未填写核定分，待核定",
        ),
    )


def make_batch() -> BatchResult:
    bonus_ok = Entry(
        unit="月湖街道",
        kind="bonus",
        topic="创新工作",
        points=D("5"),
        note="市级媒体报道",
        counted=True,
        reason="同专题取最高",
        file="指标/加减分.xlsx",
        sheet="加减分",
        row=3,
    )
    bonus_no = Entry(
        unit="月湖街道",
        kind="bonus",
        topic="创新工作",
        points=D("3"),
        note="区级简报刊登",
        counted=False,
        reason="同专题已计入更高分值",
        file="指标/加减分.xlsx",
        sheet="加减分",
        row=4,
    )
    penalty = Entry(
        unit="月湖街道",
        kind="penalty",
        topic="通报批评",
        points=D("-5"),
        note="被区委通报",
        counted=True,
        reason="",
        file="指标/加减分.xlsx",
        sheet="加减分",
        row=5,
    )
    yuehu = UnitResult(
        unit="月湖街道",
        tier="A",
        tier_label="A类街道",
        base=D("0.7"),
        sheet="towns",
        status="final",
        items=_town_items("3.00", "35.00", "14.00"),
        bonus=D("5"),
        penalty=D("-5"),
        subtotal=D("93.25"),
        total=D("93.25"),
        contribution=D("0.6528"),
        rank=1,
        file="材料/月湖街道.xlsx",
        self_total=D("98"),
        entries=(bonus_ok, bonus_no, penalty),
    )
    injected = UnitResult(
        unit=INJECTED,
        tier="A",
        tier_label="A类街道",
        base=D("0.7"),
        sheet="towns",
        status="provisional",
        items=_town_items("5.00", "30.00", None),
        bonus=D(0),
        penalty=D(0),
        subtotal=D("35.00"),
        total=D("35.00"),
        contribution=D("0.2450"),
        rank=2,
        file="材料/hyperlink.xlsx",
        self_total=D("58"),
    )
    jishigang = UnitResult(
        unit="集士港镇",
        tier="B",
        tier_label="B类镇、街道",
        base=D("0.4"),
        sheet="towns",
        status="final",
        items=_town_items("5.00", "40.00", "15.00"),
        bonus=D(0),
        penalty=D(0),
        subtotal=D("60.00"),
        total=D("60.00"),
        contribution=D("0.2400"),
        rank=1,
        file="材料/集士港镇.xlsx",
        self_total=D("58"),
    )
    evil = UnitResult(
        unit=EVIL,
        tier="C",
        tier_label="C类镇、乡",
        base=D("0.2"),
        sheet="towns",
        status="final",
        items=_town_items("1.00", "38.00", "10.00"),
        bonus=D(0),
        penalty=D(0),
        subtotal=D("49.00"),
        total=D("49.00"),
        contribution=D("0.0980"),
        rank=1,
        file="材料/evil.xlsx",
        self_total=D("58"),
    )
    missing = UnitResult(
        unit="龙观乡",
        tier="C",
        tier_label="C类镇、乡",
        base=D("0.2"),
        sheet="towns",
        status="missing",
        items=(),
        bonus=D(0),
        penalty=D(0),
        subtotal=D(0),
        total=None,
        contribution=None,
        rank=None,
    )
    edu = UnitResult(
        unit="区教育局",
        tier="部门",
        tier_label="区级部门",
        base=D("2"),
        sheet="dept-edu",
        status="final",
        items=(
            _item(1, "报备", "20", self_score="20", verified="20.00"),
            _item(
                2,
                "素质培训",
                "20",
                self_score="20",
                verified="18.00",
                remark="培训人数按教育局台账",
            ),
            _item(
                6,
                "市对区排名",
                "20",
                mn="-20",
                self_score="20",
                verified="14.00",
                explanation="并列第2名，取第2、3名分值的中位数：median(16, 12) = 14",
            ),
        ),
        bonus=D("5"),
        penalty=D(0),
        subtotal=D("52.00"),
        total=D("57.00"),
        contribution=D("1.1400"),
        rank=1,
        file="材料/区教育局.xlsx",
        self_total=D("60"),
    )
    report = Report(
        [
            Finding(
                code="E201",
                level=Level.ERROR,
                message="自评分 45 高于分值 40，且未说明理由",
                hint="请填写备注或改正自评分",
                file="材料/月湖街道.xlsx",
                sheet="附件1",
                cell="D6",
                unit="月湖街道",
            ),
            Finding(
                code="W310",
                level=Level.WARNING,
                message="核定分为空，项目待核定",
                file="材料/hyperlink.xlsx",
                sheet="附件1",
                cell="E8",
                unit=INJECTED,
            ),
            Finding(
                code="I001",
                level=Level.INFO,
                message="跳过了 1 个非 Excel 文件",
                file="材料/说明.docx",
            ),
            Finding(
                code="W311",
                level=Level.WARNING,
                message="-1 开头的问题文字",
                unit=EVIL,
                file="材料/evil.xlsx",
                sheet="附件1",
                cell="B2",
            ),
        ]
    )
    return BatchResult(
        scheme_id="haishu-2019",
        scheme_title="海曙区2019年度流动人口服务管理目标考核",
        folder="材料",
        units=(edu, missing, evil, jishigang, injected, yuehu),
        report=report,
        indicators=(
            IndicatorRow(
                unit="月湖街道",
                values={
                    "居住半年以上流动人口数": D(10000),
                    "居住证申领数": D(2750),
                    "工作窗口落实": True,
                    "未报备发文数": None,
                },
                rates={"居住证申领率": D("0.275"), "电子居住证申领率": None},
                file="指标/指标.xlsx",
                sheet="指标",
                row=2,
            ),
        ),
        entries=(bonus_ok, bonus_no, penalty),
        inputs=(
            InputFile(path="材料/月湖街道.xlsx", kind="annex", unit="月湖街道"),
            InputFile(path="指标/指标.xlsx", kind="indicators"),
        ),
        tiers=(
            ("A", "A类街道", D("0.7")),
            ("B", "B类镇、街道", D("0.4")),
            ("C", "C类镇、乡", D("0.2")),
            ("部门", "区级部门", D("2")),
        ),
    )
