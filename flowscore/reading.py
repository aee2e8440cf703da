"""Reading a submissions folder: recognise every sheet by its content and turn it into plain
records (annex sheets, indicator rows, bonus/penalty entries, city ranking), with findings for
whatever cannot be read. Nothing here scores.

Recognition never relies on file names: a sheet is an annex sheet when a header row in its
first rows has 考核内容 / 分值 / 自评分 or 核定分; an indicator sheet when a header row has 单位
and any indicator name; an entries sheet when it has 单位 / 分值 / 类型 or 专题; a ranking sheet
when it has 单位 / 排名. The unit of an annex sheet comes from the template's document property,
else the seal line (…(盖章)：单位), else the file name.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from flowscore.findings import Finding, Level
from flowscore.names import norm, roster_of
from flowscore.numbers import Parsed, parse_number, parse_rate, parse_yes_no
from flowscore.results import InputFile
from flowscore.rubric.model import Headers, Scheme, Sheet
from flowscore.safety import DEFAULT_LIMITS, Limits, clip, clip_quoted
from flowscore.workbook import (
    SPREADSHEET_SUFFIXES,
    Grid,
    WorkbookData,
    cell_ref,
    open_workbook,
    skipped_file_note,
)

HEADER_SCAN_ROWS = 100  # a header may sit well below the title (issue: a header at row 30)
_PAREN = re.compile(r"\(.*?\)")
_SEAL = re.compile(r"盖章\)?[:：]?\s*[:：]\s*(.*)$")
_ASSESSOR = re.compile(r"^(?:检查单位|考核单位|评分单位|考评单位)[:：]\s*(.+)$")


# ----------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemEntry:
    no: str
    self_score: Decimal | None
    entered: Decimal | None
    remark: str
    row: int  # 0-based
    self_cell: str
    verified_cell: str
    assessor: str = ""  # set when merged from a member department's sheet


@dataclass(frozen=True, kw_only=True, slots=True)
class AnnexSheet:
    unit: str
    sheet_id: str
    file: str
    sheet: str
    items: dict[str, ItemEntry]
    scheme_id: str = ""
    assessor: str = ""  # the member department that filled 核定分 (field inspection sheets)
    conflicts: dict[str, str] = field(default_factory=dict)  # item no -> why it is pending
    bonus_self: Decimal | None = None
    penalty_self: Decimal | None = None

    def unpacked(self) -> AnnexSheet:
        return self


@dataclass(frozen=True, kw_only=True, slots=True)
class PackedAnnex:
    """An annex sheet as it arrives from a worker process: who and where, with the rest still
    in ``wire``'s bytes (~400 bytes against ~3 KB of objects). Scoring unpacks one unit at a
    time and lets it go, so a province's item records are never all in memory at once."""

    unit: str
    sheet_id: str
    file: str
    sheet: str
    scheme_id: str
    assessor: str
    data: bytes

    def unpacked(self) -> AnnexSheet:
        from flowscore.wire import unpack_annex

        return unpack_annex(self)


@dataclass(frozen=True, kw_only=True, slots=True)
class Value:
    value: Decimal | bool | None
    file: str
    sheet: str
    cell: str

    def __reduce__(self) -> tuple:
        # A province's indicator workbook has ~100,000 values to send from a worker process:
        # as (constructor, fields) pickling takes a third of the default's time both ways.
        return (_value, (self.value, self.file, self.sheet, self.cell))


def _value(value: Decimal | bool | None, file: str, sheet: str, cell: str) -> Value:
    return Value(value=value, file=file, sheet=sheet, cell=cell)


@dataclass(frozen=True, kw_only=True, slots=True)
class RawEntry:
    unit: str
    kind: str  # bonus / penalty
    topic: str
    magnitude: Decimal
    note: str
    file: str
    sheet: str
    row: int  # 1-based, as shown in the spreadsheet
    points_cell: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RankRow:
    unit: str
    rank: int
    tied: int
    file: str
    sheet: str
    cell: str


@dataclass(kw_only=True)
class Inputs:
    annexes: list[AnnexSheet | PackedAnnex] = field(default_factory=list)
    indicators: dict[str, dict[str, Value]] = field(default_factory=dict)
    indicator_sources: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    entries: list[RawEntry] = field(default_factory=list)
    ranking: dict[str, RankRow] = field(default_factory=dict)
    files: list[InputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    saw_indicator_sheet: bool = False
    saw_ranking_sheet: bool = False

    def report(self, **fields: object) -> None:
        """Record a problem (an error unless ``level`` says otherwise)."""
        fields.setdefault("level", Level.ERROR)
        self.findings.append(Finding(**fields))  # type: ignore[arg-type]

    def add_indicator(self, unit: str, name: str, value: Value) -> None:
        """Keep the first value of an indicator; a different second value is an error."""
        values = self.indicators.setdefault(unit, {})
        old = values.get(name)
        if old is None:
            values[name] = value
        elif old.value != value.value:
            self.report(
                code="conflicting-indicator",
                file=value.file,
                sheet=value.sheet,
                cell=value.cell,
                unit=unit,
                message=f"指标“{name}”有两个不同的值：{old.value}（{old.file} › {old.sheet} › "
                f"{old.cell}）和 {value.value}，以前者为准",
                hint="只保留正确的一个值",
            )

    def add_rank(self, row: RankRow) -> None:
        if row.unit in self.ranking:
            first = self.ranking[row.unit]
            self.report(
                code="duplicate-row",
                file=row.file,
                sheet=row.sheet,
                cell=row.cell,
                unit=row.unit,
                message=f"“{row.unit}”的市考排名出现两次（另见 {first.file} › {first.sheet} › "
                f"{first.cell}），以第一次为准",
                hint="删去重复的行",
            )
            return
        self.ranking[row.unit] = row

    def merge(self, other: Inputs) -> None:
        """Add one file's records (read on its own, perhaps in another process) in file order,
        applying the checks that span files."""
        self.annexes.extend(other.annexes)
        self.findings.extend(other.findings)
        for unit, values in other.indicators.items():
            for name, value in values.items():
                self.add_indicator(unit, name, value)
        for unit, src in other.indicator_sources.items():
            self.indicator_sources.setdefault(unit, src)
        self.entries.extend(other.entries)
        for row in other.ranking.values():
            self.add_rank(row)
        self.files.extend(other.files)
        self.saw_indicator_sheet |= other.saw_indicator_sheet
        self.saw_ranking_sheet |= other.saw_ranking_sheet


# ----------------------------------------------------------------------------------------------
# Folder


def discover(
    root: Path, *, exclude: tuple[Path, ...] = ()
) -> tuple[list[tuple[str, str]], list[Finding]]:
    """(absolute path, path relative to ``root``) of every spreadsheet under ``root`` (a resolved
    folder), in path order; lock files and flowscore's own output folders are skipped (the
    latter silently, the former with a note).
    Strings, not Paths: building, resolving and comparing Paths cost ~40 µs a file (0.4 s for
    a province of 10,000 files, in the process the workers compete with)."""
    excluded = {str(p.resolve()) for p in exclude}
    notes: list[Finding] = []
    found: list[tuple[list[str], str, str]] = []
    base = str(root)
    # One walk, deciding per folder (not per file) what to skip: hidden folders, the excluded
    # output folder, and any flowscore output folder left inside the submissions.
    for here, dirs, files in os.walk(base):
        keep = []
        for d in dirs:
            sub = os.path.join(here, d)
            if d.startswith(".") or sub in excluded:
                continue
            if os.path.isfile(os.path.join(sub, "results.json")) and os.path.exists(
                os.path.join(sub, "考核汇总.xlsx")
            ):
                continue
            keep.append(d)
        dirs[:] = keep
        rel_dir = os.path.relpath(here, base)
        for f in files:
            if f.startswith("."):
                continue
            rel = f if rel_dir == "." else os.path.join(rel_dir, f)
            found.append((rel.split(os.sep), os.path.join(here, f), rel))
    found.sort(key=lambda x: x[0])  # path by path, as Path ordering (and rglob) gave
    out: list[tuple[str, str]] = []
    for _parts, path, rel in found:
        if path in excluded or not os.path.isfile(path):
            continue
        name = os.path.basename(path)
        suffix = os.path.splitext(name)[1].lower()
        if name.startswith("~$") or name.startswith(".~lock"):
            if suffix not in SPREADSHEET_SUFFIXES:
                continue  # Word's lock files (~$报告.docx) are no concern of ours
            notes.append(
                Finding(
                    code="lock-file",
                    level=Level.INFO,
                    file=rel,
                    message="这是电子表格程序打开文件时留下的锁文件，已跳过",
                    hint="关闭电子表格程序后可删除它",
                )
            )
            continue
        if suffix not in SPREADSHEET_SUFFIXES:
            note = skipped_file_note(name)
            if note is not None:
                code, level, message, hint = note
                notes.append(Finding(code=code, level=level, file=rel, message=message, hint=hint))
            continue
        out.append((path, rel))
    return out, notes


def read_folder(
    folder: Path,
    scheme: Scheme,
    *,
    exclude: tuple[Path, ...] = (),
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Inputs:
    """Read every spreadsheet of ``folder``. With ``jobs`` > 1 the files are read in batches
    by worker processes; the records are merged in file order, so the result is the same.
    ``limits``: what a file may be (size, rows) before it is refused with a finding."""
    tasks, notes = discover(folder.resolve(), exclude=exclude)
    inputs = Inputs()
    inputs.findings.extend(notes)
    if not tasks:
        inputs.report(
            code="no-files",
            file="",
            message=f"文件夹 {folder} 中没有找到电子表格（.xlsx/.xls/.ods）",
            hint="确认路径正确，评分表和指标数据放在这个文件夹中",
        )
    from flowscore.parallel import map_batches, pooled

    # From worker processes the records come packed (``wire``): a third of pickle's cost.
    packed = pooled(jobs, len(tasks))
    if packed:
        from flowscore.wire import unpack
    for part in map_batches(
        _read_batch_packed if packed else _read_batch,
        tasks,
        jobs=jobs,
        init=_init_worker,
        init_arg=(scheme, limits),
        progress=progress,
    ):
        inputs.merge(unpack(part) if packed else part)
    return inputs


_worker_reader: SheetReader | None = None
_worker_limits: Limits = DEFAULT_LIMITS


def _init_worker(arg: tuple[Scheme, Limits]) -> None:
    """Build the reader once per process (the rubric is parsed once, never per file)."""
    global _worker_reader, _worker_limits
    scheme, _worker_limits = arg
    _worker_reader = SheetReader(scheme)


def _read_batch(tasks: list[tuple[str, str]]) -> list[Inputs]:
    assert _worker_reader is not None
    return [
        read_file(Path(path), display, _worker_reader, limits=_worker_limits)
        for path, display in tasks
    ]


def _read_batch_packed(tasks: list[tuple[str, str]]) -> list[bytes]:
    from flowscore.wire import pack

    return [pack(x) for x in _read_batch(tasks)]


def read_file(
    path: Path, display: str, reader: SheetReader, *, limits: Limits = DEFAULT_LIMITS
) -> Inputs:
    """One file's records and findings, on their own."""
    inputs = Inputs()
    wb, found = open_workbook(path, display=display, limits=limits)
    inputs.findings.extend(found)
    if wb is None:
        inputs.files.append(InputFile(path=display, kind="unreadable"))
        return inputs
    reader.read_workbook(wb, display, inputs)
    # A cell's text quoted in a message (a 32,767-character unit name) is shown clipped.
    inputs.findings = [_clipped(f, limits.max_shown) for f in inputs.findings]
    return inputs


def _clipped(f: Finding, limit: int) -> Finding:
    if len(f.message) <= limit + 40 and len(f.unit) <= limit and len(f.hint) <= 4 * limit:
        return f
    return replace(
        f,
        message=clip_quoted(f.message, limit),
        unit=clip(f.unit, limit),
        hint=clip_quoted(f.hint, limit),
    )


# ----------------------------------------------------------------------------------------------
# Sheets


def _label(value: object) -> str:
    """A header cell as a comparable label: NFKC, no spaces, no parenthesised unit hints."""
    if value is None:
        return ""
    return _label_text(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=8192)
def _label_text(text: str) -> str:
    # The same headers and item texts recur in every sheet of a batch: normalise each once.
    text = unicodedata.normalize("NFKC", text)
    text = "".join(text.split())
    return _PAREN.sub("", text)


def _item_no(value: object) -> str | None:
    """``1``, ``1.0``, ``"１"``, ``"一.1"`` → a comparable item number; None for none."""
    if value is None:
        return None
    if type(value) is float and value.is_integer():  # the usual cell: 3.0
        return str(int(value))
    p = parse_number(value)
    if p.ok and p.value is not None and not p.is_percent:
        if p.value == p.value.to_integral_value():
            return str(int(p.value))
        return None
    text = _label(value)
    return text or None


class SheetReader:
    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.roster = roster_of(scheme)
        h: Headers = scheme.headers
        self.annex_labels = _labels(h.annex)
        self.entry_labels = _labels(h.entries)
        self.rank_labels = _labels(h.ranking)
        self.unit_labels = {_label(x) for x in h.unit}
        self.indicator_labels: dict[str, str] = {}
        for ind in scheme.indicators:
            self.indicator_labels[_label(ind.name)] = ind.name
            for a in ind.aliases:
                self.indicator_labels.setdefault(_label(a), ind.name)

    # -- classification ------------------------------------------------------------------------
    def read_workbook(self, wb: WorkbookData, display: str, inputs: Inputs) -> None:
        kinds: list[str] = []
        unit = ""
        for grid in wb.sheets:
            kind = self.read_sheet(grid, wb, display, inputs)
            if kind:
                kinds.append(kind)
                if kind == "annex" and inputs.annexes and inputs.annexes[-1].file == display:
                    unit = inputs.annexes[-1].unit
        if not wb.sheets:
            inputs.report(
                code="empty-workbook",
                file=display,
                message="工作簿中没有任何工作表",
                hint="确认提交的是填好的评分表或指标数据",
            )
        elif not kinds:
            inputs.report(
                code="unrecognised-file",
                level=Level.WARNING,
                file=display,
                message="没有识别出评分表、指标、加减分或市考排名表头，文件已忽略",
                hint="评分表需有“序号、考核内容、分值、自评分、核定分”表头行；指标表需有“单位”和指标名称列",
            )
        inputs.files.append(
            InputFile(
                path=display,
                kind="+".join(dict.fromkeys(kinds)) or "unknown",
                unit=unit,
                sheets=tuple(g.name for g in wb.sheets),
                scheme=wb.props.get("flowscore.scheme", ""),
            )
        )

    def read_sheet(self, grid: Grid, wb: WorkbookData, display: str, inputs: Inputs) -> str:
        for r in range(min(grid.height, HEADER_SCAN_ROWS)):
            labels = [_label(v) for v in grid.rows[r]]
            if not any(labels):
                continue
            roles = _roles(labels, self.annex_labels)
            if "text" in roles and "max" in roles and ("self" in roles or "verified" in roles):
                self.read_annex(grid, wb, display, r, roles, inputs)
                return "annex"
            unit_col = next((c for c, lab in enumerate(labels) if lab in self.unit_labels), None)
            if unit_col is None:
                continue
            eroles = _roles(labels, self.entry_labels)
            if "points" in eroles and ("type" in eroles or "topic" in eroles):
                eroles["unit"] = unit_col
                self.read_entries(grid, display, r, eroles, inputs)
                return "entries"
            rroles = _roles(labels, self.rank_labels)
            if "rank" in rroles:
                rroles["unit"] = unit_col
                self.read_ranking(grid, display, r, rroles, inputs)
                return "ranking"
            cols = {
                c: self.indicator_labels[lab]
                for c, lab in enumerate(labels)
                if lab in self.indicator_labels
            }
            if cols:
                self.read_indicators(grid, display, r, unit_col, cols, inputs)
                return "indicators"
        return ""

    # -- annex sheets --------------------------------------------------------------------------
    def _annex_unit(
        self, grid: Grid, wb: WorkbookData, display: str, header: int, inputs: Inputs
    ) -> str | None:
        prop = wb.props.get("flowscore.unit", "")
        if prop and self.roster.find(prop):
            return self.roster.find(prop)
        written = ""
        where = ""
        for r in range(header):
            for c, v in enumerate(grid.rows[r]):
                text = unicodedata.normalize("NFKC", str(v)) if v not in (None, "") else ""
                m = _SEAL.search(text.replace("\n", " "))
                if "盖章" in text and m:
                    name = m.group(1).split("评价得分")[0].strip()
                    if not name:  # typed in the next non-empty cell
                        name = next(
                            (
                                str(x).strip()
                                for x in grid.rows[r][c + 1 :]
                                if str(x).strip() and "评价得分" not in str(x)
                            ),
                            "",
                        )
                    if name:
                        written, where = name, cell_ref(r, c)
                        break
            if written:
                break
        if written:
            unit = self.roster.find(written) or self.roster.find_in(written)
            if unit:
                return unit
            close = "、".join(self.roster.closest(written)) or "（无相近名称）"
            inputs.report(
                code="unknown-unit",
                file=display,
                sheet=grid.name,
                cell=where,
                unit=written,
                message=f"盖章栏的单位“{written}”不在考核名单中，此表未计分",
                hint=f"最相近的名单单位：{close}；请改为名单中的名称，或在评分细则中加别名",
            )
            return None
        unit = self.roster.find_in(Path(display).stem)
        if unit:
            inputs.report(
                code="unit-from-filename",
                level=Level.INFO,
                file=display,
                sheet=grid.name,
                unit=unit,
                message=f"盖章栏未填单位名称，按文件名认定为“{unit}”",
                hint="请在盖章栏填写单位名称",
            )
            return unit
        inputs.report(
            code="unit-unknown-sheet",
            file=display,
            sheet=grid.name,
            message="无法确定这份评分表属于哪个单位：盖章栏和文件名中都没有名单中的单位",
            hint="在盖章栏填写单位名称，如“镇（乡）街道(盖章)：月湖街道”",
        )
        return None

    def read_annex(
        self,
        grid: Grid,
        wb: WorkbookData,
        display: str,
        header: int,
        roles: dict[str, int],
        inputs: Inputs,
    ) -> None:
        unit = self._annex_unit(grid, wb, display, header, inputs)
        if unit is None:
            return
        scheme_prop = wb.props.get("flowscore.scheme", "")
        if scheme_prop and scheme_prop != self.scheme.id:
            inputs.report(
                code="scheme-mismatch",
                file=display,
                sheet=grid.name,
                unit=unit,
                message=f"这份评分表由评分细则“{scheme_prop}”生成，与本次使用的“{self.scheme.id}”不同",
                hint="用 --rubric 指定正确的评分细则，或让单位改用本年度的模板重新填写",
            )
            return
        u = self.scheme.unit(unit)
        assert u is not None
        sheet = self.scheme.sheet(u.sheet)
        items: dict[str, ItemEntry] = {}
        bonus_self = penalty_self = None
        no_col = roles.get("no")
        lead_cols = [c for c in (no_col, roles.get("dept"), roles["text"]) if c is not None]
        for r in range(header + 1, grid.height):
            no = _item_no(grid.value(r, no_col)) if no_col is not None else None
            # A numbered row is an item; only other rows can be the 加分/减分 lines.
            lead = (
                ""
                if no is not None and no.isdigit()
                else " ".join(_label(grid.value(r, c)) for c in lead_cols)
            )
            if lead.startswith("加分") or (no or "").startswith("加分"):
                bonus_self = self._score(
                    grid, display, unit, r, roles.get("self"), inputs, allow_negative=False
                )
                continue
            if lead.startswith("减分") or (no or "").startswith("减分"):
                penalty_self = self._score(
                    grid, display, unit, r, roles.get("self"), inputs, allow_negative=True
                )
                continue
            if no is None or not sheet.item(no):
                if no is not None and _looks_numbered(no):
                    inputs.report(
                        code="unknown-item",
                        file=display,
                        sheet=grid.name,
                        cell=cell_ref(r, no_col),
                        unit=unit,
                        message=f"序号 {no} 不在“{sheet.title}”（{u.name}）的考核项目中",
                        hint=f"该表的序号应为 1–{len(sheet.items)}；检查是否用了其他单位的表",
                    )
                    continue
                if no_col is not None and no is not None:
                    continue
                no, problem = self._match_by_text(grid, r, roles, sheet)
                if problem:
                    inputs.report(
                        code="unmatched-row",
                        file=display,
                        sheet=grid.name,
                        cell=cell_ref(r, roles.get("criteria", roles["text"])),
                        unit=unit,
                        message=problem,
                        hint="从评分细则原文复制该行文字，或补上序号",
                    )
                if no is None:
                    continue
            if no in items:
                inputs.report(
                    code="duplicate-item",
                    file=display,
                    sheet=grid.name,
                    cell=cell_ref(r, no_col if no_col is not None else roles["text"]),
                    unit=unit,
                    message=f"序号 {no} 出现了两次（第{items[no].row + 1}行和第{r + 1}行），以第一次为准",
                    hint="删去重复的行",
                )
                continue
            item = sheet.item(no)
            assert item is not None
            self_score = self._score(
                grid, display, unit, r, roles.get("self"), inputs, allow_negative=item.is_adjustment
            )
            entered = self._score(
                grid,
                display,
                unit,
                r,
                roles.get("verified"),
                inputs,
                allow_negative=item.is_adjustment,
            )
            remark = grid.text(r, roles["remark"]) if "remark" in roles else ""
            items[no] = ItemEntry(
                no=no,
                self_score=self_score,
                entered=entered,
                remark=remark,
                row=r,
                self_cell=cell_ref(r, roles["self"]) if "self" in roles else "",
                verified_cell=cell_ref(r, roles["verified"]) if "verified" in roles else "",
            )
        for item in sheet.items:
            if str(item.no) not in items:
                inputs.report(
                    code="item-missing",
                    level=Level.WARNING,
                    file=display,
                    sheet=grid.name,
                    unit=unit,
                    message=f"评分表中找不到序号 {item.no}（{item.short or item.text[:12]}）",
                    hint="核对是否删掉了行或序号写错",
                )
        assessor = self._assessor(grid, wb, header)
        inputs.annexes.append(
            AnnexSheet(
                unit=unit,
                sheet_id=sheet.id,
                file=display,
                assessor=assessor,
                sheet=grid.name,
                items=items,
                scheme_id=scheme_prop,
                bonus_self=bonus_self,
                penalty_self=penalty_self,
            )
        )

    def _assessor(self, grid: Grid, wb: WorkbookData, header: int) -> str:
        """Who filled the 核定分: a ``检查单位：市财政局`` line above the header (or the template's
        property). Empty for a unit's own sheet."""
        written = wb.props.get("flowscore.assessor", "")
        if not written:
            for r in range(header):
                for v in grid.rows[r]:
                    m = (
                        _ASSESSOR.match(unicodedata.normalize("NFKC", str(v)).strip())
                        if v
                        else None
                    )
                    if m:
                        written = m.group(1).strip()
                        break
                if written:
                    break
        if not written:
            return ""
        for name in self.scheme.assessors:
            if norm(name) == norm(written):
                return name
        return written

    def _match_by_text(
        self, grid: Grid, r: int, roles: dict[str, int], sheet: Sheet
    ) -> tuple[str | None, str]:
        """A row without 序号 (the published 附件2 and Beilun layouts): its item by its 评分标准
        (or 考核内容) text, copied from the published form perhaps with small edits. Returns
        (item number, problem): a row that looks like an item but matches none, or two equally,
        is a problem; short texts (titles, category names) are no rows at all."""
        col = roles.get("criteria", roles["text"])
        text = _label(grid.value(r, col))
        if len(text) < 8 or text.startswith("备注"):
            return None, ""
        scored = []
        for item in sheet.items:
            target = (
                _label(item.criteria or item.text) if "criteria" in roles else _label(item.text)
            )
            scored.append(
                (difflib.SequenceMatcher(None, text, target, autojunk=False).ratio(), str(item.no))
            )
        scored.sort(reverse=True)
        best_ratio, best = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if best_ratio >= 0.6 and best_ratio - second > 0.05:
            return best, ""
        if best_ratio >= 0.6:
            return None, (
                f"第{r + 1}行的文字同样接近序号 {best} 和 {scored[1][1]}，无法确定是哪一项，"
                "此行未采用"
            )
        has_score = any(
            grid.value(r, roles[k]) is not None for k in ("self", "verified") if k in roles
        )
        if has_score:
            return None, f"第{r + 1}行“{text[:20]}…”对不上评分细则中的任何一项，此行未采用"
        return None, ""

    def _score(
        self,
        grid: Grid,
        display: str,
        unit: str,
        r: int,
        col: int | None,
        inputs: Inputs,
        *,
        allow_negative: bool,
    ) -> Decimal | None:
        if col is None:
            return None
        raw = grid.value(r, col)
        p = parse_number(raw)
        problem = p.problem or ("分数不应带百分号" if p.is_percent else "")
        if not problem and p.value is not None and p.value < 0 and not allow_negative:
            problem = f"分数 {p.value} 为负数"
        if problem:
            inputs.report(
                code="bad-score",
                file=display,
                sheet=grid.name,
                cell=cell_ref(r, col),
                unit=unit,
                message=f"单元格内容{_quote(problem)}，未采用",
                hint="只填数字，如 4 或 4.5（不要带“分”等文字）",
            )
            return None
        return p.value

    # -- indicator sheets ----------------------------------------------------------------------
    def read_indicators(
        self,
        grid: Grid,
        display: str,
        header: int,
        unit_col: int,
        cols: dict[int, str],
        inputs: Inputs,
    ) -> None:
        inputs.saw_indicator_sheet = True
        seen_names: dict[str, int] = {}
        for c, name in cols.items():
            if name in seen_names:
                inputs.report(
                    code="duplicate-column",
                    file=display,
                    sheet=grid.name,
                    cell=cell_ref(header, c),
                    message=f"指标“{name}”有两列，以第一列为准",
                    hint="删去重复的列",
                )
            seen_names.setdefault(name, c)
        for r in range(header + 1, grid.height):
            written = grid.text(r, unit_col)
            if not written:
                continue
            unit = self._row_unit(grid, display, r, unit_col, written, inputs)
            if unit is None:
                continue
            if unit in inputs.indicator_sources and inputs.indicator_sources[unit][:2] == (
                display,
                grid.name,
            ):
                inputs.report(
                    code="duplicate-row",
                    file=display,
                    sheet=grid.name,
                    cell=cell_ref(r, unit_col),
                    unit=unit,
                    message=f"“{unit}”有两行指标（第{inputs.indicator_sources[unit][2]}行和第{r + 1}行），以第一行为准",
                    hint="删去重复的行",
                )
                continue
            inputs.indicator_sources.setdefault(unit, (display, grid.name, r + 1))
            for name, c in seen_names.items():
                ind = self.scheme.indicator(name)
                assert ind is not None
                raw = grid.value(r, c)
                parsed = self._indicator_value(ind.kind, raw)
                where = cell_ref(r, c)
                if isinstance(parsed, str):
                    inputs.report(
                        code="bad-indicator",
                        file=display,
                        sheet=grid.name,
                        cell=where,
                        unit=unit,
                        message=f"指标“{name}”{parsed}，未采用",
                        hint=_indicator_hint(ind.kind),
                    )
                    continue
                if parsed is None:
                    continue
                inputs.add_indicator(
                    unit, name, Value(value=parsed, file=display, sheet=grid.name, cell=where)
                )

    @staticmethod
    def _indicator_value(kind: str, raw: object) -> Decimal | bool | str | None:
        if kind == "yes_no":
            yn, problem = parse_yes_no(raw)
            return problem or yn
        p: Parsed = parse_rate(raw) if kind == "rate" else parse_number(raw)
        if not p.ok:
            return p.problem
        if p.value is None:
            return None
        if kind != "rate" and p.is_percent:
            return "是百分数，应填人数或次数"
        if p.value < 0:
            return f"为负数（{p.value}）"
        if kind == "count" and p.value != p.value.to_integral_value():
            return f"不是整数（{p.value}）"
        return p.value

    def _row_unit(
        self, grid: Grid, display: str, r: int, col: int, written: str, inputs: Inputs
    ) -> str | None:
        unit = self.roster.find(written)
        if unit is None and norm(written) in ("合计", "总计", "小计", "说明", "备注"):
            return None
        if unit is None:
            close = "、".join(self.roster.closest(written)) or "（无相近名称）"
            inputs.report(
                code="unknown-unit",
                file=display,
                sheet=grid.name,
                cell=cell_ref(r, col),
                unit=written,
                message=f"单位“{written}”不在考核名单中，此行未采用",
                hint=f"最相近的名单单位：{close}",
            )
        return unit

    # -- bonus / penalty entries ---------------------------------------------------------------
    def read_entries(
        self, grid: Grid, display: str, header: int, roles: dict[str, int], inputs: Inputs
    ) -> None:
        def refuse(cell: str, unit: str, message: str, hint: str) -> None:
            inputs.report(
                code="bad-entry",
                file=display,
                sheet=grid.name,
                cell=cell,
                unit=unit,
                message=f"{message}，此条未采用",
                hint=hint,
            )

        for r in range(header + 1, grid.height):
            written = grid.text(r, roles["unit"])
            raw_points = grid.value(r, roles["points"])
            if not written and raw_points is None:
                continue
            if not written:
                inputs.report(
                    code="entry-no-unit",
                    file=display,
                    sheet=grid.name,
                    cell=cell_ref(r, roles["unit"]),
                    message="加减分记录没有填写单位，未采用",
                    hint="填写单位名称",
                )
                continue
            unit = self._row_unit(grid, display, r, roles["unit"], written, inputs)
            if unit is None:
                continue
            p = parse_number(raw_points)
            pcell = cell_ref(r, roles["points"])
            if not p.ok or p.value is None or p.is_percent:
                refuse(
                    pcell, f"加减分分值{_quote(p.problem or '为空')}", "分值只填数字，如 5 或 -5"
                )
                continue
            type_text = _label(grid.value(r, roles["type"])) if "type" in roles else ""
            if type_text.startswith("加"):
                kind = "bonus"
            elif type_text.startswith("减") or type_text.startswith("扣"):
                kind = "penalty"
            elif type_text:
                refuse(
                    cell_ref(r, roles["type"]),
                    unit,
                    f"类型“{type_text}”应为“加分”或“减分”",
                    "类型填“加分”或“减分”",
                )
                continue
            else:
                kind = "penalty" if p.value < 0 else "bonus"
            if kind == "bonus" and p.value < 0:
                refuse(
                    pcell,
                    unit,
                    f"类型为加分，分值却是负数 {p.value}",
                    "加分填正数；扣分请把类型改为“减分”",
                )
                continue
            topic = grid.text(r, roles["topic"]) if "topic" in roles else ""
            note = grid.text(r, roles["note"]) if "note" in roles else ""
            inputs.entries.append(
                RawEntry(
                    unit=unit,
                    kind=kind,
                    topic=topic,
                    magnitude=abs(p.value),
                    note=note,
                    file=display,
                    sheet=grid.name,
                    row=r + 1,
                    points_cell=pcell,
                )
            )

    # -- city ranking --------------------------------------------------------------------------
    def read_ranking(
        self, grid: Grid, display: str, header: int, roles: dict[str, int], inputs: Inputs
    ) -> None:
        inputs.saw_ranking_sheet = True
        for r in range(header + 1, grid.height):
            written = grid.text(r, roles["unit"])
            raw_rank = grid.value(r, roles["rank"])
            if not written and raw_rank is None:
                continue
            unit = (
                self._row_unit(grid, display, r, roles["unit"], written, inputs)
                if written
                else None
            )
            if unit is None:
                continue
            rank = _whole(raw_rank)
            tied = _whole(grid.value(r, roles["tied"])) if "tied" in roles else None
            rcell = cell_ref(r, roles["rank"])
            if raw_rank is None:
                continue
            if rank is None or rank < 1:
                inputs.report(
                    code="bad-rank",
                    file=display,
                    sheet=grid.name,
                    cell=rcell,
                    unit=unit,
                    message=f"排名“{raw_rank}”不是正整数，未采用",
                    hint="排名填 1、2、3……",
                )
                continue
            if (
                "tied" in roles
                and grid.value(r, roles["tied"]) is not None
                and (tied is None or tied < 1)
            ):
                inputs.report(
                    code="bad-rank",
                    file=display,
                    sheet=grid.name,
                    cell=cell_ref(r, roles["tied"]),
                    unit=unit,
                    message=f"并列数“{grid.value(r, roles['tied'])}”不是正整数，未采用",
                    hint="没有并列填 1 或留空；两个单位并列填 2",
                )
                continue
            inputs.add_rank(
                RankRow(
                    unit=unit, rank=rank, tied=tied or 1, file=display, sheet=grid.name, cell=rcell
                )
            )


# ----------------------------------------------------------------------------------------------


def _labels(roles: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for role, labels in roles.items():
        for lab in labels:
            out.setdefault(_label(lab), role)
    return out


def _roles(labels: list[str], known: dict[str, str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for c, lab in enumerate(labels):
        role = known.get(lab)
        if role and role not in roles:
            roles[role] = c
    return roles


def _looks_numbered(no: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+|[一二三四五六七八九十]+[.、][0-9]+", no))


def _whole(raw: object) -> int | None:
    p = parse_number(raw)
    if not p.ok or p.value is None or p.value != p.value.to_integral_value():
        return None
    return int(p.value)


def _quote(problem: str) -> str:
    return problem if problem.startswith("“") else "：" + problem


def _indicator_hint(kind: str) -> str:
    return {
        "yes_no": "填“是”或“否”",
        "rate": "填百分数，如 27.5% 或 0.275",
        "count": "填非负整数，如 2750（可带千分位逗号）",
    }.get(kind, "填数字")
