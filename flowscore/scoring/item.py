"""One unit's item: its verified score (核定分) and the explanation that defends it.

The sheet's entries are checked first (the self score against the max, the typed 核定分 against
the item's range and allowed scores); then the item's ``mode`` decides, one function each:

- ``computed``: the rule's parts give the score; a different 核定分 counts only as an override
  with a written reason (备注), otherwise the computed value stands and the difference is said;
- ``assessor``: the typed 核定分 is the score; none is pending (待核定) — the 自评分 never stands
  in for it;
- ``ceiling_assessor``: the parts give a ceiling, the assessor's 核定分 the score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from flowscore.catalog import finding
from flowscore.findings import Report
from flowscore.inputs.records import AnnexSheet, ItemEntry, RegisterEntry
from flowscore.numbers import fmt, fmt_plain, q
from flowscore.results import ItemResult, RegisterNote, Source
from flowscore.rubric.model import MODES, Item, Scheme, Unit
from flowscore.rules.base import PointsTableLike, Values
from flowscore.scoring.parts import ItemComputation, compute_item
from flowscore.scoring.register import Registered

_V = TypeVar("_V", Decimal, str, Decimal | None)


def shared_value(table: dict[Any, Any] | None, value: _V) -> _V:
    """``value``, or the equal one already in ``table`` (a Decimal only with the same digits
    and exponent: 5 and 5.00 print differently)."""
    if value is None or table is None:
        return value
    key = (Decimal, str(value)) if isinstance(value, Decimal) else value
    kept: _V = table.setdefault(key, value)
    return kept


@dataclass(frozen=True, kw_only=True)
class ItemInput:
    """Everything one unit's item is scored from."""

    scheme: Scheme
    unit: Unit
    item: Item
    annex: AnnexSheet | None  # None: the unit's sheets conflict (reported)
    entry: ItemEntry | None  # the item's row on the sheet, if any
    values: Values
    tables: Mapping[str, PointsTableLike]
    city_rank: tuple[int, int] | None
    batch: Mapping[int, Any]  # what each ranking part prepared for this unit
    indicator_source: tuple[str, str, int] | None  # where the unit's indicator row is
    report: Report
    # where a city-ranking problem is: the unit's 市考排名 row, else the sheet it is missing
    # from (file, sheet, cell), None when the materials hold no such sheet
    ranking_source: tuple[str, str, str] | None = None
    register: Registered | None = None  # the assessor's register's word on this item
    plain: bool = False  # score from the sheets alone (no register, no override)
    # One object per value across the batch (``share``): the numbers and texts of 10,000
    # units' items repeat, and each Decimal read or computed apart is 104 bytes of its own.
    shared: dict[Any, Any] | None = None

    def share(self, value: _V) -> _V:
        return shared_value(self.shared, value)

    @property
    def reg(self) -> RegisterEntry | None:
        """The register entry that stands for this item (None: none, or scored plain)."""
        r = self.register
        return None if self.plain or r is None or r.pending else r.entry

    @property
    def reason(self) -> str:
        """What justifies departing from a computed value: the register's 理由 when its entry
        decides, else the sheet's 备注."""
        reg = self.reg
        return reg.reason if reg is not None else self.remark

    @property
    def places(self) -> int:
        return self.scheme.decisions.item_places

    @property
    def label(self) -> str:
        return f"序号{self.item.no}（{self.item.short or self.item.text[:10]}）"

    @property
    def vlabel(self) -> str:
        """The sheet's word for 核定分 (Beilun: 考核分)."""
        return self.scheme.sheet(self.unit.sheet).columns.get("verified", "核定分")

    @property
    def vcell(self) -> str:
        return self.entry.verified_cell if self.entry else ""

    @property
    def remark(self) -> str:
        return self.entry.remark if self.entry else ""

    def register_note(self, *, used: bool) -> RegisterNote | None:
        """The register's entry for this item as its result carries it (None: no entry)."""
        r = None if self.plain else self.register
        if r is None:
            return None
        e = r.entry
        return RegisterNote(
            score=e.score,
            who=e.who,
            date=e.date,
            reason=e.reason,
            file=e.file,
            sheet=e.sheet,
            row=e.row,
            cell=e.cell,
            used=used,
            before=None,  # filled in by score_item, which scores the sheets alone too
            before_source="",
        )

    def find(self, code: str, variant: str = "", *, cell: str | None = None, **fields: Any) -> None:
        """A finding on this item's row (at its 核定分 cell unless ``cell`` says otherwise)."""
        self.report.add(
            finding(
                code,
                variant,
                file=self.annex.file if self.annex else "",
                sheet=self.annex.sheet if self.annex else "",
                cell=self.vcell if cell is None else cell,
                unit=self.unit.name,
                label=self.label,
                vlabel=self.vlabel,
                **fields,
            )
        )

    def result(
        self,
        verified: Decimal | None,
        computed: Decimal | None,
        source: Source,
        explanation: str,
        *,
        cell: str | None = None,
        by_register: bool = False,
    ) -> ItemResult:
        """The item's result; ``by_register``: its score is the register entry's."""
        item, entry = self.item, self.entry
        note = self.register_note(used=by_register)
        return ItemResult(
            no=item.no,
            short=item.short,
            text=item.text,
            max=item.max,
            min=item.min,
            max_label=item.max_label,
            mode=item.mode,
            self_score=self.share(entry.self_score) if entry else None,
            entered=self.share(entry.entered) if entry else None,
            remark=self.share(entry.remark) if entry else "",
            verified=self.share(verified),
            computed=self.share(computed),
            source=source,
            explanation=self.share(explanation),
            category=item.category,
            cell=self.share(self.vcell if cell is None else cell),
            extra_item=item.extra,
            capped=item.capped,
            assessor=entry.assessor if entry else "",
            register=note,
        )


class Entered(NamedTuple):
    """The 核定分 typed on the sheet: as typed, and as usable (None when absent or refused)."""

    typed: Decimal | None
    usable: Decimal | None


def score_item(x: ItemInput) -> ItemResult:
    """The item's result. With a register entry for it, the item is scored from the sheets
    alone as well: what the entry replaced is said, and a refused entry leaves exactly that."""
    if x.plain or x.register is None:
        plain = _score(x)
        assert plain is not None  # only a register entry is ever refused by a mode
        return plain
    before = _score(replace(x, register=None, report=Report()))
    assert before is not None
    r = x.register
    if r.pending:  # two different scores registered, or one the item cannot have
        result = x.result(None, before.computed, "pending", r.pending)
    else:
        found = _score(x)
        if found is None:  # refused by the mode: the sheets' result, with its findings, stands
            found = _score(replace(x, register=None))
            assert found is not None
            found = replace(found, register=x.register_note(used=False))
        result = found
    return _with_before(x, result, before)


def _score(x: ItemInput) -> ItemResult | None:
    """The item scored by its mode (``None``: the register's entry was refused by the mode —
    the caller keeps what the sheets alone give)."""
    if x.annex is None:
        return x.result(
            None, None, "pending", "该单位有多份评分表，无法确定以哪份为准，待核定", cell=""
        )
    conflict = x.annex.conflicts.get(str(x.item.no))
    if conflict is not None and x.reg is None:
        return x.result(None, None, "pending", conflict)
    _check_self_score(x)
    reg = x.reg
    entered = _entered(x) if reg is None else Entered(reg.score, q(reg.score, x.places))
    return MODE_SCORERS[x.item.mode](x, entered)


def _with_before(x: ItemInput, result: ItemResult, before: ItemResult) -> ItemResult:
    """``result`` with what the sheets alone gave written into its register note and, when the
    register decided it, into its explanation (and a finding saying the change)."""
    note = result.register
    if note is None:
        return result
    note = replace(note, before=before.verified, before_source=before.source)
    result = replace(result, register=note)
    if not note.used:
        return result
    was = _before_text(before, x.places)
    said = before.source == "computed" and result.computed is not None  # in the text already
    if not said and (before.verified != result.verified or before.source != result.source):
        result = replace(result, explanation=f"{result.explanation}；原为{was}")
    e = x.register.entry if x.register else None
    assert e is not None
    x.report.add(
        finding(
            "register-used",
            file=e.file,
            sheet=e.sheet,
            cell=e.cell,
            unit=x.unit.name,
            label=x.label,
            after=fmt(result.verified, x.places),
            before=was,
            who=_by_register(e),
        )
    )
    return result


def _before_text(before: ItemResult, places: int) -> str:
    if before.verified is None:
        return "待核定"
    value = fmt(before.verified, places)
    if before.source == "computed":
        return f"计算值 {value} 分"
    if before.source == "override":
        return f"评分表上的核定改写 {value} 分"
    if before.assessor:
        return f"{before.assessor}核定 {value} 分"
    return f"评分表核定分 {value} 分"


def _by_register(e: RegisterEntry) -> str:
    """``核定登记表：王敏，2019-12-16，理由：…`` — who, when and why, as explanations say it."""
    why = f"，理由：{e.reason}" if e.reason else ""
    return f"核定登记表：{e.who}，{e.date or '日期未填'}{why}"


def _refuse_register(x: ItemInput, variant: str, **fields: Any) -> None:
    """A register entry the item's mode cannot take without a reason (or at all): said at the
    register's row; the item keeps what the sheets alone give."""
    e = x.reg
    assert e is not None
    x.report.add(
        finding(
            "register-no-reason" if variant in ("computed", "ceiling") else "register-bad-entry",
            variant,
            file=e.file,
            sheet=e.sheet,
            cell=e.cell,
            unit=x.unit.name,
            label=x.label,
            row=e.row,
            entered=fmt(e.score, x.places),
            **fields,
        )
    )


def _check_self_score(x: ItemInput) -> None:
    entry, item = x.entry, x.item
    if entry is None or entry.self_score is None:
        return
    s = entry.self_score
    if s > item.max:
        if x.remark:
            x.find(
                "self-above-max-with-reason",
                cell=entry.self_cell,
                self_score=fmt_plain(s),
                max=item.max_label,
                remark=x.remark,
            )
        elif x.scheme.decisions.self_above_max_needs_reason:
            x.find(
                "self-above-max", cell=entry.self_cell, self_score=fmt_plain(s), max=item.max_label
            )
    elif s < item.min:
        x.find(
            "self-out-of-range",
            cell=entry.self_cell,
            self_score=fmt_plain(s),
            min=fmt_plain(item.min),
        )


def _entered(x: ItemInput) -> Entered:
    """The typed 核定分, checked against the item's range and allowed scores (a refused one is
    reported here)."""
    typed = x.entry.entered if x.entry else None
    item = x.item
    if typed is None:
        return Entered(None, None)
    if not (item.min <= typed <= item.max):
        x.find(
            "score-out-of-range",
            entered=fmt_plain(typed),
            low=fmt_plain(item.min),
            high=fmt_plain(item.max),
        )
        return Entered(typed, None)
    if item.allowed and typed not in item.allowed:
        shown = "、".join(fmt_plain(a) for a in item.allowed)
        x.find("score-not-allowed", entered=fmt_plain(typed), allowed=shown)
        return Entered(typed, None)
    # An assessor's score is an item score like any other: 2 places, half-up.
    return Entered(typed, q(typed, x.places))


def _note(item: Item, text: str) -> str:
    """An assessor item's explanation, with what the assessor looks at (targets stated without
    a formula)."""
    return f"{text}（{item.note}）" if item.note else text


def _unfilled(x: ItemInput) -> bool:
    """Whether the 核定分 cell holds nothing at all (not text that is no score, nor a part of a
    merged cell): what “空着” means to ``assessor_optional``."""
    e = x.entry
    return e is None or not (e.verified_text or e.verified_merged)


def _no_score(x: ItemInput) -> tuple[str, str, dict[str, Any]]:
    """Why an item has no 核定分, as it is on the sheet: the ``pending`` variant, the words of
    the explanation and the finding's fields. Not “为空” for a cell holding 90%."""
    e, v = x.entry, x.vlabel
    if e is None:
        found = x.annex.scheme_id if x.annex else ""
        if found and found != x.scheme.id:
            words = f"这份评分表按评分细则“{found}”制作，没有这一项"
            return "new-item", words, {"found": found, "used": x.scheme.id, "no": x.item.no}
        return "no-row", "评分表中没有这一项（删掉了这一行或序号写错）", {"no": x.item.no}
    if e.verified_text:
        return "not-a-score", f"{v}“{e.verified_text}”不是分数", {"text": e.verified_text}
    if e.verified_merged:
        first = e.verified_merged
        return "merged", f"{v}单元格与 {first} 合并为一格，分数只记在 {first}", {"first": first}
    return "", f"{v}为空", {}


def _pending(x: ItemInput) -> tuple[str, str]:
    """Report the item pending for want of a 核定分: (variant, the explanation's words)."""
    variant, words, fields = _no_score(x)
    x.find("pending", variant, **fields)
    return variant, words


# ----------------------------------------------------------------------------------------------
# Modes


def assessor(x: ItemInput, entered: Entered) -> ItemResult | None:
    item, places = x.item, x.places
    if entered.usable is None and entered.typed is None and item.assessor_optional and _unfilled(x):
        # a discretionary bonus or deduction left blank: nobody gave one (0), not pending
        zero = q(max(item.min, min(item.max, Decimal(0))), places)
        return x.result(
            zero,
            None,
            "assessor",
            _note(item, f"考核组未填写，按 {fmt(zero, places)} 分计（本项空白即不加分、不扣分）"),
        )
    if entered.usable is None:
        # a score typed but refused (out of range) has its own finding already
        why = _pending(x)[1] if entered.typed is None else f"{x.vlabel}未采用（见问题清单）"
        return x.result(None, None, "pending", _note(item, f"待核定：{why}"))
    if x.reg is not None:
        return x.result(
            entered.usable,
            None,
            "assessor",
            _note(item, f"考核组核定 {fmt(entered.usable, places)} 分（{_by_register(x.reg)}）"),
            by_register=True,
        )
    who = x.entry.assessor if x.entry and x.entry.assessor else "考核组"  # 市财政局 (merged)
    return x.result(
        entered.usable,
        None,
        "assessor",
        _note(item, f"{who}核定 {fmt(entered.usable, places)} 分"),
    )


def computed(x: ItemInput, entered: Entered) -> ItemResult | None:
    comp = _compute(x)
    if comp.value is None:
        return x.result(None, None, "pending", f"待核定：{comp.explanation}")
    value, places, ok = comp.value, x.places, entered.usable
    reg = x.reg
    if reg is not None and ok == value:
        return x.result(
            value,
            value,
            "computed",
            f"{comp.explanation}（{_by_register(reg)}，与计算值相同）",
            by_register=True,
        )
    if ok is None or ok == value:
        return x.result(value, value, "computed", comp.explanation)
    if reg is not None:
        if not _override_allowed(x):
            _refuse_register(x, "computed", computed=fmt(value, places))
            return None  # the sheets' result stands
        return x.result(
            ok,
            value,
            "override",
            f"考核组改写为 {fmt(ok, places)} 分（{_by_register(reg)}）；"
            f"计算值 {fmt(value, places)} 分：{comp.explanation}",
            by_register=True,
        )
    if _override_allowed(x):
        x.find(
            "override",
            entered=fmt(ok, places),
            computed=fmt(value, places),
            remark=x.remark or "未填写",
        )
        return x.result(
            ok,
            value,
            "override",
            f"考核组改写为 {fmt(ok, places)} 分（理由：{x.remark or '未填写'}）；"
            f"计算值 {fmt(value, places)} 分：{comp.explanation}",
        )
    x.find("computed-differs", entered=fmt(ok, places), computed=fmt(value, places))
    return x.result(
        value,
        value,
        "computed",
        f"{comp.explanation}（表上核定分 {fmt(ok, places)} 与计算值不同，未采用）",
    )


def ceiling_assessor(x: ItemInput, entered: Entered) -> ItemResult | None:
    comp = _compute(x)
    places, ok = x.places, entered.usable
    reg = x.reg
    by = f"（{_by_register(reg)}）" if reg is not None else ""
    if comp.value is None:
        if ok is not None:
            return x.result(
                ok,
                None,
                "assessor",
                f"考核组核定 {fmt(ok, places)} 分{by}；计算上限无法核对：{comp.explanation}",
                by_register=reg is not None,
            )
        return x.result(None, None, "pending", f"待核定：{comp.explanation}")
    ceiling = comp.value
    if ok is None and entered.typed is None and x.item.assessor_optional and _unfilled(x):
        return x.result(ceiling, ceiling, "computed", f"{comp.explanation}（考核组未另行扣分）")
    if ok is None:
        limit = f"计算上限 {fmt(ceiling, places)} 分（{comp.explanation}）"
        if entered.typed is not None:  # refused, with its own finding
            why = f"{x.vlabel}未采用（见问题清单）；"
        else:
            variant, words = _pending(x)
            why = f"{words}；" if variant else ""  # a blank cell: the ceiling says it all
        return x.result(None, ceiling, "pending", f"待核定：{why}{limit}")
    if ok > ceiling and reg is not None:
        if not _override_allowed(x):
            _refuse_register(x, "ceiling", computed=fmt(ceiling, places))
            return None  # the sheets' result stands
        return x.result(
            ok,
            ceiling,
            "override",
            f"考核组改写为 {fmt(ok, places)} 分{by}，高于计算上限 "
            f"{fmt(ceiling, places)} 分：{comp.explanation}",
            by_register=True,
        )
    if ok > ceiling:
        # The computed part is a fixed deduction (少于上一年度的扣3分): an assessor cannot undo it
        # without saying why — then it is an override, as for a computed item.
        if _override_allowed(x):
            x.find(
                "override",
                "ceiling",
                entered=fmt(ok, places),
                computed=fmt(ceiling, places),
                remark=x.remark or "未填写",
            )
            return x.result(
                ok,
                ceiling,
                "override",
                f"考核组改写为 {fmt(ok, places)} 分（理由：{x.remark or '未填写'}），高于计算上限 "
                f"{fmt(ceiling, places)} 分：{comp.explanation}",
            )
        x.find("above-ceiling", entered=fmt(ok, places), ceiling=fmt(ceiling, places))
        return x.result(
            ceiling,
            ceiling,
            "computed",
            f"计算上限 {fmt(ceiling, places)} 分（{comp.explanation}）；表上核定分 "
            f"{fmt(ok, places)} 高于上限且未写明理由，未采用",
        )
    possible = _possible_scores(x.item, ceiling, places)
    if possible is not None and ok not in possible:
        shown = "、".join(fmt_plain(p) for p in sorted(possible, reverse=True))
        if reg is not None:
            _refuse_register(x, "duties", allowed=shown)
        else:
            x.find("score-not-allowed", "duties", entered=fmt(ok, places), allowed=shown)
        return x.result(
            None,
            ceiling,
            "pending",
            f"待核定：{x.vlabel} {fmt(ok, places)} 与考核组核查的职责扣分不符（可能的得分：{shown}）；"
            f"计算上限 {fmt(ceiling, places)} 分（{comp.explanation}）",
        )
    text = (
        f"考核组核定 {fmt(ok, places)} 分{by}；计算上限 {fmt(ceiling, places)} 分"
        f"（{comp.explanation}）"
    )
    return x.result(ok, ceiling, "assessor", text, by_register=reg is not None)


def _possible_scores(item: Item, ceiling: Decimal, places: int) -> set[Decimal] | None:
    """The 核定分 an item's assessor-checked duties allow below its computed ceiling: the
    ceiling less the points of any of them (kept within the item's bounds); None when one of
    them is discretionary (酌情扣分) or there are none, so any score up to the ceiling may be."""
    points: list[Decimal | None] = [
        getattr(p, "points", None) for p in item.parts if p.checked_by_assessor
    ]
    fixed = [p for p in points if p is not None]
    if not points or len(fixed) < len(points) or len(fixed) > 12:
        return None
    sums = {Decimal(0)}
    for p in fixed:
        sums |= {s + p for s in sums}
    return {q(min(max(ceiling + s, item.min), item.max), places) for s in sums}


def _override_allowed(x: ItemInput) -> bool:
    """A 核定分 replaces a computed value (or goes above a computed ceiling) only with a
    written reason (备注, or the register's 理由) — unless the rubric says no reason is needed.
    Scored plain (``rank-moved``'s comparison), no override counts."""
    if x.plain:
        return False
    return bool(x.reason) or not x.scheme.decisions.computed_override_needs_reason


# A mode returns None only for a register entry it refuses: the sheets' result then stands.
MODE_SCORERS: dict[str, Callable[[ItemInput, Entered], ItemResult | None]] = {
    "computed": computed,
    "assessor": assessor,
    "ceiling_assessor": ceiling_assessor,
}
if set(MODE_SCORERS) != set(MODES):  # pragma: no cover - caught by the first test run
    raise RuntimeError("flowscore.scoring.item: a mode without a scorer")


def _compute(x: ItemInput) -> ItemComputation:
    """The rule's value for this unit; what keeps it from being computed is reported at the
    unit's indicator row."""
    comp = compute_item(
        x.item,
        x.values,
        places=x.places,
        batch=x.batch,
        tables=x.tables,
        city_rank=x.city_rank,
    )
    for code, message in comp.problems:
        if code in _RANKING_CODES:
            place = x.ranking_source
            variant = "table" if code == "bad-rank" else "" if place else "no-sheet"
        else:
            row = x.indicator_source
            place = (row[0], row[1], f"第{row[2]}行") if row else None
            variant = ""
        x.report.add(
            finding(
                code,
                variant,
                file=place[0] if place else "",
                sheet=place[1] if place else "",
                cell=place[2] if place else "",
                unit=x.unit.name,
                label=x.label,
                reason=message,
            )
        )
    return comp


_RANKING_CODES = ("missing-rank", "bad-rank")  # problems of the 市考排名 table, not the 指标
