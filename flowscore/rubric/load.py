"""Loading a rubric file (TOML) into the model, validating everything on the way.

Every problem becomes a Finding naming the file and the key (``sheets.towns.items[2].parts[0]``),
all gathered before anything is refused, so one run of ``rubric check`` shows them all. A rubric
is the office's own file but still untrusted text: every value is checked for its type and
bounds before it is used (numbers finite and of a sensible size, formulas short), so whatever
``rubric check`` accepts, ``compute`` runs.

Rule parameters and the ``[decisions]`` are read from the fields of their dataclasses
(``_field_spec``): a new rule kind or decision needs no code here.
"""

from __future__ import annotations

import hashlib
import tomllib
import types
import typing
from dataclasses import MISSING, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.catalog import finding
from flowscore.errors import RubricError
from flowscore.findings import Finding, Level
from flowscore.rubric.document import DocumentStyle
from flowscore.rubric.model import (
    MODES,
    Category,
    Decisions,
    Derived,
    Headers,
    Indicator,
    Item,
    PointsTable,
    Pool,
    Scheme,
    Sheet,
    Tier,
    Unit,
)
from flowscore.rules.base import LoadContext, Rule
from flowscore.rules.registry import RULE_KINDS

RUBRIC_DIR = Path(__file__).resolve().parent.parent / "rubrics"
DEFAULT_RUBRIC = "haishu-2019"

# Numbers a rubric may hold: points, targets, base points. Past these a value is a typo or an
# attack, and exact arithmetic on it would overflow the decimal context later.
MAX_NUMBER = Decimal(10) ** 9
MAX_PLACES = 10
MAX_FILE = 8 * 1024 * 1024  # bytes of a rubric file (the built-in ones are ~30 KB)

_INDICATOR_KINDS = ("count", "number", "rate", "yes_no")


def builtin_rubrics() -> dict[str, Path]:
    """Built-in schemes by id (the file name without ``.toml``)."""
    return {p.stem: p for p in sorted(RUBRIC_DIR.glob("*.toml"))}


def builtin_rubric_summaries() -> list[tuple[str, Scheme | None]]:
    """Every built-in rubric by id, loaded (None for one that has errors)."""
    out: list[tuple[str, Scheme | None]] = []
    for rid, path in builtin_rubrics().items():
        try:
            scheme, _ = load_rubric(path)
        except RubricError:
            out.append((rid, None))
            continue
        out.append((rid, scheme))
    return out


def resolve_rubric(spec: str | None = None) -> Path:
    """A rubric id (``haishu-2019``) or a file path; the default scheme when ``None``."""
    spec = spec or DEFAULT_RUBRIC
    builtins = builtin_rubrics()
    if spec in builtins:
        return builtins[spec]
    path = Path(spec)
    if path.is_file():
        return path
    known = "、".join(builtins) or "（无）"
    raise RubricError(
        f"找不到评分细则“{spec}”",
        hint=f"内置评分细则：{known}；也可以给出 .toml 文件的路径",
    )


def load_rubric(spec: str | Path | None = None) -> tuple[Scheme, list[Finding]]:
    """Load and validate a rubric. Returns the scheme and its warnings; raises RubricError
    (carrying every finding) when there is any error."""
    path = spec if isinstance(spec, Path) else resolve_rubric(spec)
    scheme, found = _Loader(path).load()
    errors = [f for f in found if f.level is Level.ERROR]
    if errors or scheme is None:
        raise RubricError(
            f"评分细则 {path.name} 有 {len(errors)} 处错误",
            hint="运行 flowscore rubric check 查看全部问题",
            findings=tuple(found),
        )
    return scheme, found


def check_rubric(path: Path) -> tuple[Scheme | None, list[Finding]]:
    """Everything loading validates, without raising."""
    return _Loader(path).load()


def read_rubric(path: Path) -> tuple[Scheme | None, list[Finding], dict[str, Any]]:
    """``check_rubric`` plus the file's parsed data (empty when it could not be parsed), for
    checks that look at what did not load."""
    loader = _Loader(path)
    scheme, found = loader.load()
    return scheme, found, loader.data


Table = dict[str, Any]


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self._invalid_pools: set[str] = set()
        self._rates: set[str] = set()  # indicators of kind rate (fractions: 0.95 is 95%)
        self.data: dict[str, Any] = {}  # the parsed file
        self._decisions = Decisions()

    # -- reporting -------------------------------------------------------------------------
    def error(self, code: str, key: str, message: str, hint: str = "") -> None:
        """A problem of kind ``code`` at ``key`` (its level is the catalog's)."""
        fix = {"fix": hint} if hint else {}  # else the catalog's action for the kind
        self.findings.append(finding(code, file=self.path.name, key=key, detail=message, **fix))

    warn = error  # a warning kind is a warning by the catalog; the name says what is meant

    # -- typed access ----------------------------------------------------------------------
    def table(self, value: Any, where: str) -> Table | None:
        if isinstance(value, dict):
            return value
        self.error(
            "rubric-bad-value",
            where,
            f"“{where}”应为一个表（[…] 或 {{…}}），实际为 {_shown(value)}",
            "检查这一段的写法",
        )
        return None

    def array(self, value: Any, where: str) -> list[Any]:
        if isinstance(value, list):
            return value
        self.error(
            "rubric-bad-value",
            where,
            f"“{where}”应为一个列表（[[…]] 或 […]），实际为 {_shown(value)}",
            "检查这一段的写法",
        )
        return []

    def tables_in(self, value: Any, where: str) -> list[tuple[int, Table]]:
        """The tables of an array of tables, each with its index (other entries reported)."""
        out = []
        for i, t in enumerate(self.array(value, where)):
            if (tab := self.table(t, f"{where}[{i}]")) is not None:
                out.append((i, tab))
        return out

    def named_tables(self, value: Any, where: str) -> list[tuple[str, Table]]:
        """The tables of a table of tables (``[pools.x]``), each with its name."""
        tab = self.table(value, where) if value is not None else {}
        out = []
        for name, t in (tab or {}).items():
            if (sub := self.table(t, f"{where}.{name}")) is not None:
                out.append((name, sub))
        return out

    def need(self, table: Table, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        if key not in table:
            self.error("rubric-missing-key", _join(where, key), f"缺少必填项“{key}”", "补上这一项")
            return None
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.error(
                "rubric-bad-value",
                _join(where, key),
                f"“{key}”的取值类型不对：{_shown(value)}",
                "检查取值的写法",
            )
            return None
        return value

    def text(self, table: Table, key: str, where: str, default: str = "") -> str:
        """An optional text value (a number written for it is taken as its text)."""
        value = table.get(key, default)
        if isinstance(value, str):
            return value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        self.error(
            "rubric-bad-value",
            _join(where, key),
            f"“{key}”应为文字，实际为 {_shown(value)}",
            "用引号写成文字",
        )
        return default

    def _previous(self, it: Table, where: str) -> str:
        """``previous``: the earlier rubric's 序号 of an item renamed or renumbered (the year
        comparison, ``compute --compare``, matches the two by it)."""
        if "previous" not in it:
            return ""
        value = it["previous"]
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            self.error(
                "rubric-bad-value",
                f"{where}.previous",
                f"“previous”应为上年评分表中该项目的序号（文字或整数），实际为 {_shown(value)}",
                '写成上年的序号，如 previous = 3 或 previous = "一.1"',
            )
            return ""
        return str(value).strip()

    def texts(self, table: Table, key: str, where: str) -> tuple[str, ...]:
        """An optional list of texts."""
        if key not in table:
            return ()
        out = []
        for i, v in enumerate(self.array(table[key], _join(where, key))):
            if isinstance(v, str):
                out.append(v)
            else:
                self.error(
                    "rubric-bad-value",
                    f"{_join(where, key)}[{i}]",
                    f"应为文字，实际为 {_shown(v)}",
                    "用引号写成文字",
                )
        return tuple(out)

    def flag(self, table: Table, key: str, where: str) -> bool:
        value = table.get(key, False)
        if isinstance(value, bool):
            return value
        self.error("rubric-bad-value", _join(where, key), f"“{key}”应为 true 或 false")
        return False

    def unknown_keys(self, table: Table, known: set[str], where: str, what: str) -> None:
        """Report keys a section does not know (a typo would otherwise be silently ignored)."""
        for key in table:
            if key not in known:
                self.error(
                    "rubric-unknown-key",
                    _join(where, key),
                    f"{what}中未知的项“{key}”",
                    "检查拼写；可用的项：" + "、".join(sorted(known)),
                )

    def need_dec(self, table: Table, key: str, where: str) -> Decimal | None:
        """A required number: missing is ``rubric-missing-key``, not a bad value."""
        if key not in table:
            self.error("rubric-missing-key", f"{where}.{key}", f"缺少必填项“{key}”", "补上这一项")
            return None
        return self.dec(table[key], f"{where}.{key}")

    def dec(self, value: Any, where: str) -> Decimal | None:
        """A number: finite, at most a billion, at most 10 decimal places."""
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.error(
                "rubric-bad-value",
                where,
                f"应为数字，实际为 {_shown(value)}",
                "写成数字，如 5 或 0.7",
            )
            return None
        d = Decimal(value)
        exponent = d.as_tuple().exponent  # a letter for NaN and infinity
        if not isinstance(exponent, int) or abs(d) > MAX_NUMBER or exponent < -MAX_PLACES:
            self.error(
                "rubric-bad-value",
                where,
                f"数字超出范围：{_shown(value)}（应为有限的数字，绝对值不超过 10 亿，小数不超过 10 位）",
                "写成普通的数字，如 5、0.7 或 -20",
            )
            return None
        return d

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> tuple[Scheme | None, list[Finding]]:
        try:
            if self.path.stat().st_size > MAX_FILE:
                self.error(
                    "rubric-unreadable",
                    "",
                    f"评分细则文件太大（{self.path.stat().st_size:,} 字节），不是正常的细则文件",
                    "评分细则通常只有几十 KB；确认给出的是 .toml 细则文件",
                )
                return None, self.findings
            raw = self.path.read_bytes()
            # the rubric's content hash, for a run's manifest (results.json) and the templates
            self.digest = hashlib.sha256(raw).hexdigest()
            data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            self.error("rubric-syntax", "", f"TOML 语法错误：{exc}", "按报告的行列修正文件")
            return None, self.findings
        except (RecursionError, MemoryError, ValueError):  # ValueError: an int of 4,300+ digits
            self.error(
                "rubric-syntax",
                "",
                "文件的嵌套层次太深，无法读取",
                "评分细则的表最多嵌套几层；检查文件是否完整、是否被改坏",
            )
            return None, self.findings
        except (OSError, UnicodeDecodeError) as exc:
            self.error(
                "rubric-unreadable",
                "",
                f"无法读取评分细则文件：{exc}",
                "确认文件存在且为 UTF-8 编码",
            )
            return None, self.findings
        self.data = data
        return self.scheme(data), self.findings

    def scheme(self, data: Table) -> Scheme | None:
        known_top = {
            "id",
            "title",
            "year",
            "source",
            "deadline",
            "decisions",
            "tiers",
            "headers",
            "indicators",
            "tables",
            "pools",
            "sheets",
            "derived",
            "assessors",
            "document",
        }
        for key in data:
            if key not in known_top:
                self.error(
                    "rubric-unknown-key",
                    key,
                    f"未知的顶层项“{key}”",
                    "检查拼写；可用的项：" + "、".join(sorted(known_top)),
                )
        sid = self.need(data, "id", "")
        title = self.need(data, "title", "")
        year = data.get("year")  # optional: a document may state no year (Beilun)
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2999
        ):
            self.error(
                "rubric-bad-value",
                "year",
                f"“year”应为整数年份，实际为 {_shown(year)}",
                "写成 2019 这样的整数；文件未注明年度的，删去这一项",
            )
            year = None
        decisions = self._decisions = self.decisions(data.get("decisions", {}))
        tables = self.tables(data.get("tables"))
        pools = self.pools(data.get("pools"))
        indicators = self.indicators(data.get("indicators", []))
        self._rates = {i.name for i in indicators if i.kind == "rate"}
        derived = self.derived(data.get("derived", []), {i.name for i in indicators})
        assessors = self.texts(data, "assessors", "")
        own = decisions.own_sheet_assessor
        if own and own not in assessors:
            self.error(
                "rubric-unknown-ref",
                "decisions.own_sheet_assessor",
                f"“{own}”不在 assessors 名单中",
                "在顶层 assessors 中列出它，或删去这一项",
            )
        sheets = self.sheets(
            data.get("sheets"),
            pools,
            {t.id for t in tables},
            {i.name for i in indicators} | {d.name for d in derived},
            set(assessors),
        )
        sheet_ids = {s.id for s in sheets}
        tiers, units = self.tiers(data.get("tiers", []), sheet_ids)
        headers = self.headers(data.get("headers", {}))
        for ind in indicators:
            for s in ind.sheets:
                if s not in sheet_ids:
                    self.error(
                        "rubric-unknown-sheet",
                        f"indicators[{ind.name}].sheets",
                        f"指标“{ind.name}”引用了不存在的评分表“{s}”",
                    )
        used_sheets = {u.sheet for u in units}
        for sh in sheets:
            if sh.id not in used_sheets:
                self.warn(
                    "rubric-sheet-unused",
                    f"sheets.{sh.id}",
                    f"评分表“{sh.id}”没有任何单位使用",
                    "在 tiers 的 units 中指定 sheet",
                )
        if sid is None or title is None or not sheets:
            if not sheets:
                self.error("rubric-missing-key", "sheets", "没有定义任何评分表（sheets）")
            return None
        return Scheme(
            id=sid,
            title=title,
            year=year,
            source=self.text(data, "source", ""),
            tiers=tuple(tiers),
            units=tuple(units),
            sheets=tuple(sheets),
            indicators=tuple(indicators),
            tables=tuple(tables),
            decisions=decisions,
            headers=headers,
            path=str(self.path),
            digest=getattr(self, "digest", ""),
            deadline=self.text(data, "deadline", ""),
            derived=tuple(derived),
            assessors=assessors,
            document=self.document(data.get("document", {})),
        )

    def document(self, raw: Any) -> DocumentStyle:
        """``[document]``: how the circular and the feedback sheets look (any field of
        DocumentStyle; the rest keep GB/T 9704's)."""
        tab = self.table(raw, "document")
        if not tab:
            return DocumentStyle()
        spec = _field_spec(DocumentStyle)
        kwargs: dict[str, Any] = {}
        for key, value in tab.items():
            where = f"document.{key}"
            shape = spec.get(key, ("", False))[0]
            if key not in spec:
                self.error(
                    "rubric-unknown-key",
                    where,
                    f"文档格式中未知的项“{key}”",
                    "可用的项：" + "、".join(sorted(spec)),
                )
            elif shape == "float":
                d = self.dec(value, where)
                if d is not None and not 0 < d <= 1000:
                    self.error("rubric-bad-range", where, f"“{key}”应在 0 到 1000 之间（毫米或磅）")
                elif d is not None:
                    kwargs[key] = float(d)
            elif shape == "texts":
                fonts = self.texts(tab, key, "document")
                if not fonts:
                    self.error("rubric-bad-value", where, f"“{key}”至少要列出一种字体")
                else:
                    kwargs[key] = fonts
            elif isinstance(value, str):
                kwargs[key] = value
            else:
                self.error("rubric-bad-value", where, f"“{key}”应为文字，实际为 {_shown(value)}")
        try:
            return DocumentStyle(**kwargs)
        except ValueError as exc:  # DocumentStyle's own checks ({page} in the footer…)
            self.error("rubric-bad-value", "document", str(exc))
            return DocumentStyle()

    def derived(self, raw: Any, indicator_names: set[str]) -> list[Derived]:
        from flowscore.formula import FormulaError, names

        out: list[Derived] = []
        known = set(indicator_names)
        for i, d in self.tables_in(raw, "derived"):
            where = f"derived[{i}]"
            self.unknown_keys(d, {"name", "formula", "note"}, where, "派生指标")
            name = self.need(d, "name", where)
            formula = self.need(d, "formula", where)
            if name is None or formula is None:
                continue
            if name in known:
                # a derived value must never silently replace a submitted one
                self.error(
                    "rubric-duplicate",
                    f"{where}.name",
                    f"派生指标“{name}”与已定义的指标同名",
                    "给派生指标另起一个名称",
                )
                continue
            try:
                used = names(formula)
            except FormulaError as exc:
                self.error(
                    "rubric-bad-formula",
                    f"{where}.formula",
                    str(exc),
                    "公式只能用指标名称、数字、+ − × ÷ 和括号",
                )
                continue
            missing = [n for n in used if n not in known]
            if missing:
                self.error(
                    "rubric-unknown-indicator",
                    f"{where}.formula",
                    f"公式引用了未定义的指标“{'、'.join(missing)}”",
                    "在 [[indicators]] 或前面的 [[derived]] 中定义它",
                )
                continue
            known.add(name)
            out.append(Derived(name=name, formula=formula, note=self.text(d, "note", where)))
        return out

    def decisions(self, raw: Any) -> Decisions:
        tab = self.table(raw, "decisions")
        if tab is None:
            return Decisions()
        spec = _field_spec(Decisions)
        kwargs: dict[str, Any] = {}
        for key, value in tab.items():
            where = f"decisions.{key}"
            if key not in spec:
                self.error(
                    "rubric-unknown-key",
                    where,
                    f"未知的决策项“{key}”",
                    "可用的决策项：" + "、".join(sorted(spec)),
                )
                continue
            shape = spec[key][0]
            if isinstance(shape, tuple):
                if value not in shape:
                    self.error(
                        "rubric-bad-value",
                        where,
                        f"“{key}”只能取 " + " / ".join(shape) + f"，实际为 {_shown(value)}",
                    )
                else:
                    kwargs[key] = value
            elif shape == "int":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
                    self.error("rubric-bad-value", where, f"“{key}”应为 0 到 6 的整数")
                else:
                    kwargs[key] = value
            elif shape == "bool":
                if not isinstance(value, bool):
                    self.error("rubric-bad-value", where, f"“{key}”应为 true 或 false")
                else:
                    kwargs[key] = value
            elif shape == "str":
                if not isinstance(value, str):
                    self.error(
                        "rubric-bad-value", where, f"“{key}”应为文字，实际为 {_shown(value)}"
                    )
                else:
                    kwargs[key] = value
            else:
                d = self.dec(value, where)
                if d is not None:
                    kwargs[key] = d
        return Decisions(**kwargs)

    def tables(self, raw: Any) -> list[PointsTable]:
        out = []
        for tid, t in self.named_tables(raw, "tables"):
            where = f"tables.{tid}"
            self.unknown_keys(t, {"name", "points", "tie", "cite"}, where, "排名折算表")
            pts = self.need(t, "points", where, list)
            if not pts:
                continue
            points = tuple(
                p
                for i, v in enumerate(pts)
                if (p := self.dec(v, f"{where}.points[{i}]")) is not None
            )
            tie = t.get("tie", self._decisions.rank_tie)
            if tie not in ("median", "best"):
                self.error("rubric-bad-value", f"{where}.tie", "tie 只能取 median / best")
                tie = "median"
            out.append(
                PointsTable(
                    id=tid,
                    name=self.text(t, "name", where, tid),
                    points=points,
                    tie=tie,
                    cite=self.text(t, "cite", where),
                )
            )
        return out

    def pools(self, raw: Any) -> dict[str, Pool]:
        out = {}
        for pid, p in self.named_tables(raw, "pools"):
            where = f"pools.{pid}"
            self.unknown_keys(
                p, {"kind", "text", "min", "max", "same_topic", "cap", "cite"}, where, "加减分项"
            )
            self._invalid_pools.add(pid)  # until it loads: sheets citing it need no second error
            kind = self.need(p, "kind", where)
            if kind is not None and kind not in ("bonus", "penalty"):
                self.error("rubric-bad-value", f"{where}.kind", "kind 只能取 bonus / penalty")
                continue
            lo = self.need_dec(p, "min", where)
            hi = self.need_dec(p, "max", where)
            if kind is None or lo is None or hi is None:
                continue
            if lo > hi:
                self.error("rubric-bad-range", where, f"分值范围下限 {lo} 大于上限 {hi}")
            same = p.get("same_topic", "sum")
            if same not in ("highest", "sum"):
                self.error(
                    "rubric-bad-value", f"{where}.same_topic", "same_topic 只能取 highest / sum"
                )
                same = "sum"
            cap = self.dec(p["cap"], f"{where}.cap") if "cap" in p else None
            self._invalid_pools.discard(pid)
            out[pid] = Pool(
                kind=kind,
                text=self.text(p, "text", where),
                min=lo,
                max=hi,
                same_topic=same,
                cap=cap,
                cite=self.text(p, "cite", where),
            )
        return out

    def indicators(self, raw: Any) -> list[Indicator]:
        out: list[Indicator] = []
        seen: set[str] = set()
        for i, ind in self.tables_in(raw, "indicators"):
            where = f"indicators[{i}]"
            self.unknown_keys(ind, {"name", "kind", "sheets", "aliases", "note"}, where, "指标")
            name = self.need(ind, "name", where)
            kind = ind.get("kind", "count")
            if kind not in _INDICATOR_KINDS:
                self.error(
                    "rubric-bad-value",
                    f"{where}.kind",
                    "kind 只能取 " + " / ".join(_INDICATOR_KINDS),
                )
                continue
            if name is None:
                continue
            if name in seen:
                self.error("rubric-duplicate", where, f"指标“{name}”重复定义")
            seen.add(name)
            out.append(
                Indicator(
                    name=name,
                    kind=kind,
                    sheets=self.texts(ind, "sheets", where),
                    aliases=self.texts(ind, "aliases", where),
                    note=self.text(ind, "note", where),
                )
            )
        return out

    def sheets(
        self,
        raw: Any,
        pools: dict[str, Pool],
        table_ids: set[str],
        indicator_names: set[str],
        assessors: set[str],
    ) -> list[Sheet]:
        out = []
        for sid, s in self.named_tables(raw, "sheets"):
            where = f"sheets.{sid}"
            self.unknown_keys(
                s,
                {
                    "annex",
                    "title",
                    "seal_label",
                    "total",
                    "published_sum",
                    "bonus",
                    "penalty",
                    "cite",
                    "footnotes",
                    "items",
                    "categories",
                    "columns",
                },
                where,
                "评分表",
            )
            items = []
            seen_no: set[str] = set()
            seen_previous: dict[str, str] = {}  # previous → the item naming it
            dropped = False
            for i, it in self.tables_in(s.get("items", []), f"{where}.items"):
                item = self.item(it, f"{where}.items[{i}]", table_ids, indicator_names, assessors)
                if item is None:
                    dropped = True
                    continue
                if str(item.no) in seen_no:
                    self.error("rubric-duplicate", f"{where}.items[{i}]", f"序号 {item.no} 重复")
                seen_no.add(str(item.no))
                if item.previous and item.previous in seen_previous:
                    self.error(
                        "rubric-duplicate",
                        f"{where}.items[{i}].previous",
                        f"上年项目“{item.previous}”被两个项目引用"
                        f"（另见序号 {seen_previous[item.previous]}）",
                        "一个上年项目只能对应本年的一个项目",
                    )
                seen_previous.setdefault(item.previous, str(item.no))
                items.append(item)
            if not items:
                self.error("rubric-missing-key", f"{where}.items", f"评分表“{sid}”没有考核项目")
            total = self.dec(s.get("total", 100), f"{where}.total")
            published_sum = (
                self.dec(s["published_sum"], f"{where}.published_sum")
                if "published_sum" in s
                else None
            )
            sheet = Sheet(
                id=sid,
                annex=self.text(s, "annex", where),
                title=self.text(s, "title", where, sid),
                seal_label=self.text(s, "seal_label", where, "单位(盖章)"),
                total=total if total is not None else Decimal(100),
                items=tuple(items),
                bonus=self._pool_ref(s, "bonus", where, pools),
                penalty=self._pool_ref(s, "penalty", where, pools),
                footnotes=self.texts(s, "footnotes", where),
                cite=self.text(s, "cite", where),
                categories=tuple(self.categories(s.get("categories", []), where, items)),
                columns=self.columns(s.get("columns", {}), where),
                published_sum=published_sum,
            )
            if items and not dropped and published_sum is not None:
                if sheet.items_max_sum != published_sum:
                    self.error(
                        "rubric-bad-value",
                        f"{where}.published_sum",
                        f"评分表“{sheet.cite or sid}”写明文件公布的分值合计为 {published_sum}，"
                        f"而各项分值合计 {sheet.items_max_sum}",
                        "published_sum 只记文件原样公布的合计；请核对各项的 max",
                    )
            elif items and not dropped and total is not None and sheet.items_max_sum != total:
                self.warn(
                    "rubric-sum-mismatch",
                    where,
                    f"评分表“{sheet.cite or sid}”各项分值合计 {sheet.items_max_sum}，"
                    f"与表的总分 {total} 不符",
                    "如为文件原样公布，在该表写 published_sum = "
                    f"{sheet.items_max_sum} 记下即可；需要按100分折算可设 decisions.rescale_to_100",
                )
            out.append(sheet)
        return out

    def categories(self, raw: Any, where: str, items: list[Item]) -> list[Category]:
        out = []
        used = {it.category for it in items if it.category}
        for i, c in self.tables_in(raw, f"{where}.categories"):
            cw = f"{where}.categories[{i}]"
            self.unknown_keys(c, {"name", "max", "min", "cite"}, cw, "分类")
            name = self.need(c, "name", cw)
            if name is None:
                continue
            mx = self.dec(c["max"], f"{cw}.max") if "max" in c else None
            mn = self.dec(c["min"], f"{cw}.min") if "min" in c else None
            if name not in used:
                self.warn(
                    "rubric-category-unused",
                    cw,
                    f"分类“{name}”下没有考核项目",
                    "检查考核项目的 category 是否写对",
                )
            out.append(Category(name=name, max=mx, min=mn, cite=self.text(c, "cite", cw)))
        declared = {c.name for c in out}
        for it in items:
            if out and it.category and it.category not in declared:
                self.error(
                    "rubric-unknown-ref",
                    where,
                    f"序号 {it.no} 的分类“{it.category}”未在 categories 中定义",
                )
        return out

    def columns(self, raw: Any, where: str) -> dict[str, str]:
        roles = {"no", "text", "max", "criteria", "self", "verified", "remark"}
        tab = self.table(raw, f"{where}.columns") or {}
        self.unknown_keys(tab, roles, f"{where}.columns", "列名")
        return {k: self.text(tab, k, f"{where}.columns") for k in tab if k in roles}

    def _pool_ref(self, s: Table, key: str, where: str, pools: dict[str, Pool]) -> Pool | None:
        ref = s.get(key)
        if ref is None:
            return None
        if not isinstance(ref, str):
            self.error("rubric-bad-value", f"{where}.{key}", f"“{key}”应为加减分项的编号（文字）")
            return None
        if ref in self._invalid_pools:
            return None  # defined but invalid: already reported at pools.<id>
        if ref not in pools:
            self.error(
                "rubric-unknown-ref",
                f"{where}.{key}",
                f"引用了不存在的加减分项“{ref}”",
                "在 [pools] 中定义它",
            )
            return None
        pool = pools[ref]
        if pool.kind != key:
            self.error("rubric-bad-value", f"{where}.{key}", f"“{ref}”的 kind 不是 {key}")
        return pool

    def item(
        self,
        it: Table,
        where: str,
        table_ids: set[str],
        indicator_names: set[str],
        assessors: set[str],
    ) -> Item | None:
        known = {
            "no",
            "short",
            "text",
            "max",
            "min",
            "mode",
            "start",
            "parts",
            "cite",
            "note",
            "category",
            "allowed",
            "owner",
            "assessor_optional",
            "extra",
            "criteria",
            "previous",
        }
        for key in it:
            if key not in known:
                self.error(
                    "rubric-unknown-key",
                    f"{where}.{key}",
                    f"考核项目中未知的项“{key}”",
                    "可用的项：" + "、".join(sorted(known)),
                )
        no = self.need(it, "no", where, (int, str))
        text = self.need(it, "text", where)
        mx = self.dec(it["max"], f"{where}.max") if "max" in it else None
        extra = self.flag(it, "extra", where)
        capped = "max" in it or not extra  # a bonus item without max: the document sets no cap
        if not capped:
            mx = MAX_NUMBER
        elif "max" not in it:
            self.error("rubric-missing-key", f"{where}.max", "缺少必填项“max”（分值）")
        mn = self.dec(it.get("min", 0), f"{where}.min")
        mode = self.need(it, "mode", where)
        if mode is not None and mode not in MODES:
            self.error(
                "rubric-unknown-mode",
                f"{where}.mode",
                f"未知的计分方式“{mode}”",
                "可用：" + " / ".join(MODES),
            )
            mode = None
        start = it.get("start", "max")
        if start not in ("max", "zero"):
            self.error("rubric-bad-value", f"{where}.start", "start 只能取 max / zero")
            start = "max"
        parts = []
        raw_parts = self.tables_in(it.get("parts", []), f"{where}.parts")
        for j, raw in raw_parts:
            part = self.part(raw, f"{where}.parts[{j}]", table_ids, indicator_names)
            if part is not None:
                parts.append(part)
        if mode in ("computed", "ceiling_assessor") and not raw_parts:
            self.error(
                "rubric-missing-param",
                f"{where}.parts",
                f"计分方式 {mode} 需要至少一条计分规则（parts）",
            )
        if mode == "assessor" and raw_parts:
            self.error(
                "rubric-bad-value",
                f"{where}.parts",
                "计分方式 assessor（考核组核定）不应有计分规则",
                "改为 ceiling_assessor 或删去 parts",
            )
        allowed: list[Decimal] = []
        for j, v in enumerate(self.array(it.get("allowed", []), f"{where}.allowed")):
            d = self.dec(v, f"{where}.allowed[{j}]")
            if d is not None:
                allowed.append(d)
        owner = self.text(it, "owner", where)
        if owner and assessors and owner not in assessors:
            self.error(
                "rubric-unknown-ref",
                f"{where}.owner",
                f"负责单位“{owner}”不在 assessors 名单中",
                "在顶层 assessors 中列出它",
            )
        optional = self.flag(it, "assessor_optional", where)
        if mode == "computed" and any(p.checked_by_assessor for p in parts):
            self.error(
                "rubric-bad-value",
                f"{where}.mode",
                "含有考核组核查的职责（duty）的项目不能只按指标计算",
                "把 mode 改为 ceiling_assessor：指标部分计算上限，考核组核查其余职责",
            )
        if no is None or text is None or mx is None or mn is None or mode is None:
            return None
        if mn > mx:
            self.error("rubric-bad-range", where, f"最低分 {mn} 大于分值 {mx}")
        for j, a in enumerate(allowed):
            if not mn <= a <= mx:
                self.error(
                    "rubric-bad-range",
                    f"{where}.allowed[{j}]",
                    f"允许的分数 {a} 不在 {mn}～{mx} 之间",
                )
        return Item(
            no=no,
            text=text.strip(),
            max=mx,
            min=mn,
            mode=mode,
            start=start,
            parts=tuple(parts),
            short=self.text(it, "short", where),
            cite=self.text(it, "cite", where),
            note=self.text(it, "note", where),
            category=self.text(it, "category", where),
            allowed=tuple(allowed),
            owner=owner,
            criteria=self.text(it, "criteria", where),
            previous=self._previous(it, where),
            assessor_optional=optional,
            extra=extra,
            capped=capped,
        )

    def part(
        self, raw: Table, where: str, table_ids: set[str], indicator_names: set[str]
    ) -> Rule | None:
        """One part of an item's rule: its kind from the registry, its parameters read and
        validated from the kind's own fields (``_params``), then the kind's own checks."""
        kind = raw.get("kind")
        if kind is None:
            self.error(
                "rubric-missing-key",
                f"{where}.kind",
                "计分规则缺少类型“kind”",
                "可用：" + " / ".join(RULE_KINDS),
            )
            return None
        if not isinstance(kind, str) or kind not in RULE_KINDS:
            self.error(
                "rubric-unknown-kind",
                f"{where}.kind",
                f"未知的计分规则类型“{kind}”",
                "可用：" + " / ".join(RULE_KINDS),
            )
            return None
        cls = RULE_KINDS[kind]
        raw = {**cls.defaults(self._decisions), **raw}  # what [decisions] say unless given
        kwargs, ok = self._params(cls, raw, where)
        for attr in cls.indicator_fields:
            name = kwargs.get(attr)
            if name and name not in indicator_names:
                self.error(
                    "rubric-unknown-indicator",
                    f"{where}.{attr}",
                    f"计分规则引用了未定义的指标“{name}”",
                    "在 [[indicators]] 中定义它",
                )
                ok = False
        ctx = LoadContext(
            indicators=frozenset(indicator_names),
            rate_indicators=frozenset(self._rates),
            tables=frozenset(table_ids),
            error=self.error,
            decisions=self._decisions,
        )
        ok = cls.check(kwargs, ctx, where) and ok
        return cls(**kwargs) if ok else None

    def _params(self, cls: type[Rule], raw: Table, where: str) -> tuple[dict[str, Any], bool]:
        """A rule's parameters as its dataclass fields declare them: a field without default
        is required; ``Decimal`` fields take numbers, ``bool`` fields true/false, ``Literal``
        fields one of their choices, ``str`` fields text."""
        kind = cls.kind
        spec = _field_spec(cls)
        ok = True
        for name, (_, required) in spec.items():
            if required and name not in raw:
                self.error(
                    "rubric-missing-param",
                    f"{where}.{name}",
                    f"计分规则 {kind} 缺少参数“{name}”",
                    "补上这个参数",
                )
                ok = False
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "kind":
                continue
            if key not in spec:
                self.error(
                    "rubric-unknown-param",
                    f"{where}.{key}",
                    f"计分规则 {kind} 没有参数“{key}”",
                    "可用参数：" + "、".join(sorted(spec)),
                )
                ok = False
                continue
            shape = spec[key][0]
            if shape == "decimal":
                d = self.dec(value, f"{where}.{key}")
                ok = ok and d is not None
                kwargs[key] = d
            elif isinstance(shape, tuple):  # Literal choices
                if value not in shape:
                    self.error(
                        "rubric-bad-value",
                        f"{where}.{key}",
                        f"{key} 只能取 " + " / ".join(shape),
                    )
                    ok = False
                else:
                    kwargs[key] = value
            elif shape == "bool" and not isinstance(value, bool):
                self.error("rubric-bad-value", f"{where}.{key}", f"“{key}”应为 true 或 false")
                ok = False
            elif shape == "str" and not isinstance(value, str):
                self.error(
                    "rubric-bad-value",
                    f"{where}.{key}",
                    f"“{key}”的取值类型不对：{_shown(value)}",
                    "检查取值的写法",
                )
                ok = False
            else:
                kwargs[key] = value
        return kwargs, ok

    def tiers(self, raw: Any, sheet_ids: set[str]) -> tuple[list[Tier], list[Unit]]:
        tiers, units = [], []
        where_of: dict[str, str] = {}
        for i, t in self.tables_in(raw, "tiers"):
            where = f"tiers[{i}]"
            self.unknown_keys(t, {"id", "label", "base", "sheet", "cite", "units"}, where, "类别")
            tid = self.need(t, "id", where)
            base = self.need_dec(t, "base", where)
            if tid is None or base is None:
                continue
            if base <= 0:
                self.error("rubric-bad-value", f"{where}.base", f"基本分应大于0，实际为 {base}")
            tiers.append(Tier(id=tid, label=self.text(t, "label", where, tid), base=base))
            default_sheet = t.get("sheet")
            for j, u in enumerate(self.array(t.get("units", []), f"{where}.units")):
                uw = f"{where}.units[{j}]"
                name: Any
                aliases: tuple[str, ...] = ()
                if isinstance(u, str):
                    name, sheet = u, default_sheet
                elif isinstance(u, dict):
                    self.unknown_keys(u, {"name", "sheet", "aliases"}, uw, "单位")
                    name, sheet = u.get("name"), u.get("sheet", default_sheet)
                    aliases = self.texts(u, "aliases", uw)
                else:
                    self.error("rubric-bad-value", uw, f"单位应为名称或表，实际为 {_shown(u)}")
                    continue
                if not name or not isinstance(name, str):
                    self.error("rubric-missing-key", uw, "单位缺少名称（name）")
                    continue
                if sheet is None:
                    self.error("rubric-missing-key", uw, f"单位“{name}”没有指定评分表（sheet）")
                    continue
                if sheet not in sheet_ids:
                    self.error(
                        "rubric-unknown-sheet", uw, f"单位“{name}”引用了不存在的评分表“{sheet}”"
                    )
                    continue
                if name in where_of:
                    self.error(
                        "rubric-unit-twice",
                        uw,
                        f"单位“{name}”重复出现（另见 {where_of[name]}）",
                        "一个单位只能属于一个类别",
                    )
                    continue
                where_of[name] = uw
                units.append(Unit(name=name, tier=tid, sheet=sheet, aliases=aliases))
        if not units:
            self.error("rubric-missing-key", "tiers", "没有定义任何被考核单位")
        return tiers, units

    def headers(self, raw: Any) -> Headers:
        tab = self.table(raw, "headers") or {}

        def roles(group: str) -> dict[str, tuple[str, ...]]:
            sub = self.table(tab.get(group, {}), f"headers.{group}") or {}
            return {k: self.texts(sub, k, f"headers.{group}") for k in sub}

        return Headers(
            annex=roles("annex"),
            entries=roles("entries"),
            ranking=roles("ranking"),
            unit=self.texts(tab, "unit", "headers") if "unit" in tab else ("单位",),
        )


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _shown(value: Any) -> str:
    """A value quoted in a message, never longer than a line."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        if isinstance(value, int) and value.bit_length() > 200:
            return "（一个很长的数字）"  # repr of a 4,300-digit int raises
        text = str(value)
    elif isinstance(value, dict | list):
        text = "一个表" if isinstance(value, dict) else "一个列表"
        return text
    else:
        text = repr(value)
    return text if len(text) <= 60 else f"{text[:60]}…（共 {len(text):,} 字）"


Shape = str | tuple[str, ...]  # "decimal", "int", "bool", "str", or Literal choices


_SPECS: dict[type, dict[str, tuple[Shape, bool]]] = {}


def _field_spec(cls: type) -> dict[str, tuple[Shape, bool]]:
    """name → (shape, required) of a dataclass's fields, from their types (rule kinds'
    parameters, the decisions); worked out once per class."""
    if cls not in _SPECS:
        _SPECS[cls] = _spec_of(cls)
    return _SPECS[cls]


def _spec_of(cls: type) -> dict[str, tuple[Shape, bool]]:
    hints = typing.get_type_hints(cls)
    out: dict[str, tuple[Shape, bool]] = {}
    for f in fields(cls):
        tp = hints[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
            tp = args[0]  # Optional[X]
        shape: Shape
        if typing.get_origin(tp) is typing.Literal:
            shape = tuple(typing.get_args(tp))
        elif tp is Decimal:
            shape = "decimal"
        elif tp is bool:
            shape = "bool"
        elif tp is int:
            shape = "int"
        elif tp is float:
            shape = "float"
        elif typing.get_origin(tp) is tuple:
            shape = "texts"
        else:
            shape = "str"
        required = f.default is MISSING and f.default_factory is MISSING
        out[f.name] = (shape, required)
    return out
