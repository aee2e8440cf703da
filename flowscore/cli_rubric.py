"""``flowscore rubric …``: list, show and check rubric files (a sub-command group of cli.py).

A rubric is a user-facing file: an office copies a built-in one for a new year and edits it
(README “为新年度复制一份评分细则并检查”). ``check`` therefore reports, beyond what loading validates
(``rubric.load.check_rubric``), what a careful reader of the file would notice: sums that do
not add up, rules that overlap, units left without a tier, allowed scores that exclude full
marks, indicators nobody uses, an id that differs from the file name. ``show`` describes every
rule in Chinese from its parameters, so the office can compare it with the document.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from flowscore.findings import Finding, Level
from flowscore.numbers import fmt_plain
from flowscore.rubric.model import (
    Item,
    Part,
    PerCount,
    RankPoints,
    RankTable,
    RateShortfall,
    Scheme,
    Sheet,
    Threshold,
    YesNo,
)

rubric_app = typer.Typer(
    help="评分细则：列出内置细则、查看细则内容、检查细则文件。",
    no_args_is_help=True,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)

RubricArg = Annotated[
    str | None,
    typer.Argument(
        help="评分细则：内置编号（如 beilun-streets）或 .toml 文件路径。",
        metavar="编号或文件",
        show_default=False,
    ),
]
RubricOpt = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help="评分细则：内置编号或 .toml 文件路径（与位置参数二选一）。",
        metavar="编号或文件",
    ),
]

MODE_TEXT = {
    "computed": "按指标计算",
    "assessor": "考核组核定",
    "ceiling_assessor": "计算上限，考核组核定",
}


# ---------------------------------------------------------------------------------------------
# Describing rules in Chinese (pure functions: also used by tests and docs)


def _p(value: Decimal | None) -> str:
    return fmt_plain(value)


def describe_part(part: Part, scheme: Scheme | None = None) -> str:
    """One rule in words, from its parameters: ``未报备发文数 每件扣2分``."""
    if isinstance(part, PerCount):
        verb = "加" if part.points > 0 else "扣"
        each = f"{verb}{_p(abs(part.points))}分"
        if part.required is not None:
            text = f"“{part.indicator}”要求不少于{_p(part.required)}，每少1个{each}"
        else:
            text = f"“{part.indicator}”每1个{each}"
        if part.cap is not None:
            text += f"，最多{verb}{_p(part.cap)}分"
        return text
    if isinstance(part, RateShortfall):
        how = {"floor": "（不足1个百分点的不计）", "ceil": "（不足1个百分点的按1个计）"}.get(
            part.rounding, ""
        )
        text = (
            f"{part.rate_name} = “{part.numerator}” ÷ “{part.denominator}”，低于"
            f"{_p(part.target)}%的每1个百分点扣{_p(part.per_point)}分{how}"
        )
        if part.cap is not None:
            text += f"，最多扣{_p(part.cap)}分"
        return text
    if isinstance(part, YesNo):
        bits = []
        for answer, pts in (("是", part.if_yes), ("否", part.if_no)):
            if pts:
                bits.append(f"{answer}{'计' if pts > 0 else '扣'}{_p(abs(pts))}分")
        return f"“{part.indicator}”（是/否）：" + ("，".join(bits) or "不计分")
    if isinstance(part, Threshold):
        verb = "扣" if part.points < 0 else "计"
        if part.numerator and part.denominator:
            value = f"{part.value_name}（“{part.numerator}” ÷ “{part.denominator}”）"
        elif part.numerator:
            value = f"“{part.numerator}”"
        else:
            value = f"“{part.indicator}”"
        if part.compare_to:
            target = f"“{part.compare_to}”"
        else:
            target = _p(part.target) + ("%" if part.numerator else "")
        return f"{value}低于{target}的{verb}{_p(abs(part.points))}分"
    if isinstance(part, RankPoints):
        rate = (
            f"{part.rate_name}（“{part.numerator}” ÷ “{part.denominator}”）"
            if part.denominator
            else f"“{part.numerator}”"
        )
        order = "从高到低" if part.descending else "从低到高"
        floor = f"，最低{_p(part.floor)}分" if part.floor is not None else ""
        tie = "并列取所占名次得分的中位数" if part.tie == "median" else "并列按最高名次计"
        return (
            f"按{rate}{order}排名：第1名{_p(part.first)}分，每后一名减{_p(part.step)}分"
            f"{floor}；{tie}"
        )
    if isinstance(part, RankTable):
        table = None
        if scheme is not None:
            table = next((t for t in scheme.tables if t.id == part.table), None)
        if table is None:
            return f"按排名折算表“{part.table}”计分"
        pts = "、".join(
            f"第{i}名{'+' if p > 0 else ''}{_p(p)}" for i, p in enumerate(table.points, 1)
        )
        tie = "并列取中位数" if table.tie == "median" else "并列按最高名次计"
        return f"按{table.name}计分：{pts}；{tie}"
    return str(part)  # pragma: no cover - the loader admits only the kinds above


def describe_item(item: Item, scheme: Scheme | None = None) -> str:
    """How an item is scored, in words: mode, start, rules, bounds, allowed scores."""
    lines: list[str] = []
    if item.mode == "assessor":
        if item.assessor_optional:
            lines.append("考核组核定；空白按0分计（不加分、不扣分）")
        else:
            lines.append("考核组核定（未填为待核定）")
    else:
        if item.parts:
            start = "从满分起扣" if item.start == "max" else "从0分起加"
            lines.append(f"{start}：")
            lines.extend(f"· {describe_part(p, scheme)}" for p in item.parts)
        if item.mode == "ceiling_assessor":
            lines.append(
                "考核组另行核定，不高于计算值"
                + ("；空白即采用计算值" if item.assessor_optional else "；空白为待核定")
            )
    if item.is_adjustment:
        lines.append(f"得分在 {_p(item.min)}～{_p(item.max)} 分之间")
    elif item.mode != "assessor" and item.parts:
        lines.append(f"得分在 0～{_p(item.max)} 分之间")
    if item.allowed:
        lines.append("允许的核定分：" + "、".join(_p(a) for a in item.allowed))
    if item.extra:
        lines.append("加分项，不计入分值合计")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Checking a rubric beyond loading


def lint_rubric(path: Path) -> tuple[Scheme | None, list[Finding]]:
    """Everything ``check_rubric`` validates, then the checks of a careful reader (module doc).
    Errors make the file unusable; warnings are for the office to confirm."""
    from flowscore.rubric.load import check_rubric

    scheme, findings = check_rubric(path)
    raw: dict = {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pass  # already reported by check_rubric
    out = list(findings)

    def add(code: str, level: Level, key: str, message: str, hint: str = "") -> None:
        out.append(
            Finding(code=code, level=level, file=path.name, key=key, message=message, hint=hint)
        )

    _units_without_tier(raw, add)
    if scheme is None:
        return None, out
    if scheme.id != path.stem:
        add(
            "rubric-id-filename",
            Level.WARNING,
            "id",
            f"编号“{scheme.id}”与文件名“{path.stem}”不同",
            "flowscore 按评分表中记录的编号找内置细则；把文件名改为“编号.toml”，或把 id 改为文件名",
        )
    for i, tier in enumerate(scheme.tiers):
        if not any(u.tier == tier.id for u in scheme.units):
            add(
                "rubric-tier-empty",
                Level.WARNING,
                f"tiers[{i}]",
                f"类别“{tier.label}”没有任何单位",
                "在该类别的 units 中列出单位，或删去该类别",
            )
    for sheet in scheme.sheets:
        where = f"sheets.{sheet.id}"
        _category_sums(sheet, where, add)
        for j, item in enumerate(sheet.items):
            _item_checks(item, f"{where}.items[{j}]", add, has_assessors=bool(scheme.assessors))
    _unused_indicators(scheme, add)
    _name_clashes(scheme, add)
    return scheme, out


def _units_without_tier(raw: dict, add) -> None:
    """Units listed under a tier that did not load (no id or base): they would silently drop
    out of the assessment."""
    tiers = raw.get("tiers")
    if not isinstance(tiers, list):
        return
    for i, t in enumerate(tiers):
        if not isinstance(t, dict):
            continue
        base = t.get("base")
        broken = "id" not in t or isinstance(base, bool) or not isinstance(base, int | float)
        units = t.get("units") if isinstance(t.get("units"), list) else []
        names = [
            u if isinstance(u, str) else str(u.get("name", ""))
            for u in units
            if isinstance(u, str | dict)
        ]
        if broken and names:
            shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
            add(
                "rubric-unit-no-tier",
                Level.ERROR,
                f"tiers[{i}].units",
                f"类别 tiers[{i}] 有错误（缺少 id 或基本分），其下 {len(names)} 个单位（{shown}）没有类别，"
                "不会参加考核",
                "补全该类别的 id 和 base",
            )


def _category_sums(sheet: Sheet, where: str, add) -> None:
    for k, c in enumerate(sheet.categories):
        items = [it for it in sheet.items if it.category == c.name]
        if not items:
            continue
        cw = f"{where}.categories[{k}]"
        if c.min is not None and c.min < 0:
            # a deduction-only section: its floor should be reachable by its items
            lowest = sum((it.min for it in items), Decimal(0))
            if lowest > c.min:
                add(
                    "rubric-category-sum",
                    Level.WARNING,
                    cw,
                    f"分类“{c.name}”最多扣 {_p(-c.min)} 分，但各项合计最多只能扣 {_p(-lowest)} 分",
                    "核对各项的 min 和分类的 min",
                )
            continue
        if c.max is None:
            continue
        total = sum((it.max for it in items if not it.extra and not it.is_adjustment), Decimal(0))
        if total != c.max:
            add(
                "rubric-category-sum",
                Level.WARNING,
                cw,
                f"分类“{c.name}”分值 {_p(c.max)}，其下各项分值合计 {_p(total)}，两者不符",
                "如为文件原样公布，保留即可；否则核对各项的 max",
            )


def _same_value(a: Part, b: Part) -> bool:
    """Two rules judging the same value (the same indicator, or the same ratio)."""

    def key(p: Part) -> tuple | None:
        if isinstance(p, Threshold | RateShortfall):
            return (getattr(p, "indicator", None), p.numerator, p.denominator)
        return None

    ka, kb = key(a), key(b)
    return ka is not None and ka == kb


def _item_checks(item: Item, where: str, add, *, has_assessors: bool) -> None:
    for x in range(len(item.parts)):
        for y in range(x + 1, len(item.parts)):
            a, b = item.parts[x], item.parts[y]
            if _same_value(a, b):
                add(
                    "rubric-range-overlap",
                    Level.WARNING,
                    f"{where}.parts[{y}]",
                    f"序号 {item.no} 的第{x + 1}、{y + 1}条规则判断同一个指标，"
                    f"低于两个目标时会重复扣分（{describe_part(a)}；{describe_part(b)}）",
                    "分档扣分应写成互不重叠的规则，或确认文件确实要求累计扣分",
                )
    if item.allowed:
        if len(set(item.allowed)) != len(item.allowed):
            add(
                "rubric-allowed-duplicate",
                Level.WARNING,
                f"{where}.allowed",
                f"序号 {item.no} 允许的核定分有重复",
                "删去重复的分数",
            )
        if item.max not in item.allowed:
            add(
                "rubric-allowed-no-max",
                Level.WARNING,
                f"{where}.allowed",
                f"序号 {item.no} 允许的核定分中没有满分 {_p(item.max)}，该项无法得满分",
                "在 allowed 中加上分值，或确认文件如此规定",
            )
    if item.owner and not has_assessors:
        add(
            "rubric-owner-no-assessors",
            Level.WARNING,
            f"{where}.owner",
            f"序号 {item.no} 指定了负责单位“{item.owner}”，但细则没有列出成员单位（assessors）",
            "在顶层 assessors 中列出成员单位，负责单位的名称才能被核对",
        )


def _unused_indicators(scheme: Scheme, add) -> None:
    used: set[str] = set()
    for sheet in scheme.sheets:
        for item in sheet.items:
            used.update(item.indicators)
    derived_inputs: set[str] = set()
    from flowscore.formula import names

    for d in scheme.derived:
        derived_inputs.update(names(d.formula))
    for i, ind in enumerate(scheme.indicators):
        if ind.name not in used and ind.name not in derived_inputs:
            add(
                "rubric-indicator-unused",
                Level.WARNING,
                f"indicators[{i}]",
                f"指标“{ind.name}”没有被任何计分规则使用",
                "删去它，或在计分规则中引用它",
            )
    for k, d in enumerate(scheme.derived):
        if d.name not in used:
            add(
                "rubric-indicator-unused",
                Level.WARNING,
                f"derived[{k}]",
                f"派生指标“{d.name}”没有被任何计分规则使用",
                "删去它，或在计分规则中引用它",
            )


def _name_clashes(scheme: Scheme, add) -> None:
    """A label meaning two things: the first wins when reading, silently."""
    from flowscore.reading import _label

    seen: dict[str, str] = {}
    for i, ind in enumerate(scheme.indicators):
        for written in (ind.name, *ind.aliases):
            lab = _label(written)
            other = seen.get(lab)
            if other is not None and other != ind.name:
                add(
                    "rubric-alias-clash",
                    Level.WARNING,
                    f"indicators[{i}]",
                    f"“{written}”同时是指标“{other}”和“{ind.name}”的名称或别名，读取时只认前者",
                    "删去或改写其中一个别名",
                )
            seen.setdefault(lab, ind.name)
    for group, table in (
        ("annex", scheme.headers.annex),
        ("entries", scheme.headers.entries),
        ("ranking", scheme.headers.ranking),
    ):
        roles: dict[str, str] = {}
        for role, labels in table.items():
            for written in labels:
                lab = _label(written)
                if lab in roles and roles[lab] != role:
                    add(
                        "rubric-header-clash",
                        Level.WARNING,
                        f"headers.{group}.{role}",
                        f"表头“{written}”同时列在 {roles[lab]} 和 {role} 下，读取时只认前者",
                        "一个表头只能表示一种列",
                    )
                roles.setdefault(lab, role)


# ---------------------------------------------------------------------------------------------
# Commands


def _guarded(func):
    from flowscore.cli import guarded

    return guarded(func)


def _resolve(spec: str | None, option: str | None) -> Path:
    from flowscore.rubric.load import resolve_rubric

    return resolve_rubric(spec or option)


@rubric_app.command("list", options_metavar="[选项]")
@_guarded
def list_cmd() -> None:
    """列出内置的评分细则：编号、名称、年度、单位数和评分表。"""
    from rich.table import Table

    from flowscore import console as ui
    from flowscore.errors import RubricError
    from flowscore.rubric.load import builtin_rubrics, load_rubric

    table = Table(title="内置评分细则", title_justify="left")
    for label, justify in (
        ("编号", "left"),
        ("名称", "left"),
        ("年度", "right"),
        ("单位", "right"),
        ("评分表", "left"),
    ):
        table.add_column(label, justify=justify)  # type: ignore[arg-type]
    for rid, path in builtin_rubrics().items():
        try:
            s, _ = load_rubric(path)
        except RubricError:
            table.add_row(rid, "[red]（有错误，运行 flowscore rubric check 查看）[/]", "", "", "")
            continue
        annexes = list(dict.fromkeys(sh.annex or sh.title for sh in s.sheets))
        sheets = f"{len(s.sheets)}（{'、'.join(annexes)}）"
        table.add_row(
            escape(rid),
            escape(s.title),
            str(s.year) if s.year else "未注明",
            str(len(s.units)),
            escape(sheets),
        )
    ui.console.print(table)
    ui.console.print(
        "查看内容：flowscore rubric show 编号；复制后修改的细则用 "
        "flowscore rubric check 文件 检查。"
    )


@rubric_app.command("show", options_metavar="[选项]")
@_guarded
def show_cmd(spec: RubricArg = None, rubric: RubricOpt = None) -> None:
    """显示一份评分细则：单位和基本分、各评分表的项目、分值和计分规则。"""
    from flowscore.rubric.load import load_rubric

    scheme, warnings = load_rubric(_resolve(spec, rubric))
    print_scheme(scheme)
    if warnings:
        from flowscore import console as ui

        ui.console.print()
        ui.print_findings(warnings)


def print_scheme(scheme: Scheme) -> None:
    from rich.table import Table

    from flowscore import console as ui

    esc = escape
    c = ui.console
    c.print(
        f"[bold]{esc(scheme.title)}[/]（编号 {esc(scheme.id)}，年度 "
        f"{scheme.year if scheme.year else '未注明'}）"
    )
    if scheme.source:
        c.print(f"依据：{esc(scheme.source)}")
    if scheme.deadline:
        c.print(f"报送截止：{esc(scheme.deadline)}")
    if scheme.path:
        c.print(f"文件：{esc(scheme.path)}")
    tiers = Table(title="考核单位和基本分", title_justify="left")
    tiers.add_column("类别")
    tiers.add_column("基本分", justify="right")
    tiers.add_column("单位")
    for t in scheme.tiers:
        names = [u.name for u in scheme.units if u.tier == t.id]
        tiers.add_row(esc(t.label), _p(t.base), esc(f"{len(names)}个：" + "、".join(names)))
    c.print(tiers)
    c.print("折算得分 = 基本分 × 评价得分 ÷ 100")
    if scheme.assessors:
        c.print("成员单位（实地检查评分）：" + esc("、".join(scheme.assessors)))
    for sheet in scheme.sheets:
        _print_sheet(scheme, sheet)
    if scheme.derived:
        c.print("[bold]派生指标[/]")
        for d in scheme.derived:
            c.print(f"  {esc(d.name)} = {esc(d.formula)}")


def _print_sheet(scheme: Scheme, sheet: Sheet) -> None:
    from rich.table import Table

    from flowscore import console as ui

    esc = escape
    users = [u.name for u in scheme.units if u.sheet == sheet.id]
    head = " ".join(x for x in (sheet.annex, sheet.title) if x)
    table = Table(
        title=f"{head}（{sheet.id}，总分 {_p(sheet.total)}，{len(users)}个单位使用）",
        title_justify="left",
        show_lines=True,
    )
    has_cat = bool(sheet.categories)
    has_owner = any(it.owner for it in sheet.items)
    table.add_column("序号", justify="right", no_wrap=True)
    if has_cat:
        table.add_column("分类")
    table.add_column("考核项目")
    table.add_column("分值", justify="right", no_wrap=True)
    table.add_column("计分方式")
    table.add_column("规则", ratio=1)
    if has_owner:
        table.add_column("负责单位")
    for it in sheet.items:
        row = [esc(str(it.no))]
        if has_cat:
            row.append(esc(it.category))
        row += [
            esc(it.short or it.text[:20]),
            esc(it.max_label),
            MODE_TEXT.get(it.mode, it.mode),
            esc(describe_item(it, scheme)),
        ]
        if has_owner:
            row.append(esc(it.owner or "（共同评分）"))
        table.add_row(*row)
    ui.console.print(table)
    for cat in sheet.categories:
        bounds = []
        if cat.max is not None:
            bounds.append(f"分值 {_p(cat.max)}")
        if cat.min is not None:
            bounds.append(f"最低 {_p(cat.min)}")
        ui.console.print(f"  分类 {esc(cat.name)}：{'，'.join(bounds) or '不设上下限'}")
    for pool in (sheet.bonus, sheet.penalty):
        if pool is None:
            continue
        kind = "加分" if pool.kind == "bonus" else "减分"
        same = "，同一专题按最高一项计" if pool.same_topic == "highest" else ""
        cap = f"，合计最多{_p(pool.cap)}分" if pool.cap is not None else ""
        ui.console.print(f"  {kind}：每项 {_p(pool.min)}～{_p(pool.max)} 分{same}{cap}")


@rubric_app.command("check", options_metavar="[选项]")
@_guarded
def check_cmd(spec: RubricArg = None, rubric: RubricOpt = None) -> None:
    """检查评分细则文件：格式、引用、分值合计、重叠的规则、没有类别的单位等。有错误时退出码为 1。"""
    from flowscore import console as ui

    path = _resolve(spec, rubric)
    scheme, findings = lint_rubric(path)
    if findings:
        ui.print_findings(findings)
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    warnings = sum(1 for f in findings if f.level is Level.WARNING)
    ui.console.print(f"检查了 {path}：错误 {errors}、警告 {warnings}")
    if errors or scheme is None:
        ui.fail(f"评分细则 {path.name} 有错误，不能使用", "按上面列出的位置逐条修正后重新检查")
        raise typer.Exit(1)
    sheets = len(scheme.sheets)
    items = sum(len(s.items) for s in scheme.sheets)
    ui.ok(
        f"评分细则可以使用：{len(scheme.units)} 个单位，{sheets} 张评分表，{items} 个考核项目"
        + ("；请逐条确认上面的警告" if warnings else "")
    )


__all__ = ["describe_item", "describe_part", "lint_rubric", "rubric_app"]
