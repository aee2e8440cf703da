"""The score memo: each unit's result kept under the hash of everything it was scored from.

A rerun after one sheet of 10,000 changed would score every unit again: ~6 s of exact
arithmetic for results that, but for one unit's, come out the same. So each unit's result and
the findings its scoring made are kept under a key, and a later run with the same key takes
them instead of scoring again.

**The key** is BLAKE2b over the salt and the ``repr`` of the unit's ``UnitInputs``
(``scoring.batch``): its sheet's records as read (the packed bytes), its indicator values, what
each ranking part prepared for it across the batch, its bonus and penalty entries, its register
entries, its city rank and where they all came from. ``_score_unit`` reads nothing of the batch
but that and the rubric, so an entry can never be stale: any change in what a unit is scored
from is another key. **The salt**: this module's format, flowscore's version and the hash of its
source code, Python's version and the rubric's full ``repr`` (``inputs.cache.salt_of``).

**The file** is the read cache's (``inputs.cache``): in the user's cache folder, one per
submissions folder and salt, written whole and authenticated, checked before it is parsed and
ignored when anything is wrong with it; ``--no-cache`` turns it off with the read cache.
Entries a run did not use are dropped when it saves.

**What is kept of a result**: the fields scoring decides. Those an item result copies from the
rubric's item (its number, text, maximum …) and those a unit result copies from its tier are
taken from the rubric again when unpacking; a result whose copied fields are not its item's
own is not kept (scored every time), so a kept result unpacks equal to the scored one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from flowscore.findings import Finding
from flowscore.inputs.cache import load_signed, place_for, prefix_for, salt_of, save_signed
from flowscore.inputs.wire import finding_of, finding_tuple
from flowscore.results import Entry, ItemResult, RegisterNote, UnitResult
from flowscore.rubric.model import Item, Scheme, Sheet
from flowscore.slots import builder

FORMAT = "scores-1"
FORK_FROM = 1000  # units scored: fewer are packed here faster than a child starts

# ItemResult field → the rubric Item attribute it is copied from (scoring/item.py, result())
_FROM_ITEM = (
    ("no", "no"),
    ("short", "short"),
    ("text", "text"),
    ("max", "max"),
    ("min", "min"),
    ("max_label", "max_label"),
    ("mode", "mode"),
    ("category", "category"),
    ("extra_item", "extra"),
    ("capped", "capped"),
)
_HEAD = ("unit", "tier", "tier_label", "base", "sheet")  # UnitResult fields from the rubric


@dataclass(frozen=True)
class _Shape:
    """How one kind of record is kept: its fields in order, and which hold a Decimal (kept as
    its exact text in bytes, so 5 and 5.00 stay apart; no other field holds bytes)."""

    names: tuple[str, ...]
    decimals: tuple[int, ...]

    @classmethod
    def of(cls, kind: type, skip: Sequence[str] = ()) -> _Shape:
        kept = [f for f in fields(kind) if f.name not in skip]
        # annotations are text here (``from __future__ import annotations`` in results.py)
        return cls(
            names=tuple(f.name for f in kept),
            decimals=tuple(
                i for i, f in enumerate(kept) if str(f.type) in ("Decimal", "Decimal | None")
            ),
        )


_ITEM = _Shape.of(ItemResult, skip=[mine for mine, _ in _FROM_ITEM])
_UNIT = _Shape.of(UnitResult, skip=_HEAD)
_NOTE = _Shape.of(RegisterNote)
_ENTRY = _Shape.of(Entry)
_I_REGISTER = _ITEM.names.index("register")
_U_ITEMS, _U_ENTRIES, _U_CATEGORIES = (
    _UNIT.names.index(n) for n in ("items", "entries", "categories")
)

Packed = tuple[Any, ...]


# an item result from the rubric item's fields, then the kept ones (``_Codec._item``)
_make_item = builder(ItemResult, [mine for mine, _ in _FROM_ITEM] + list(_ITEM.names))


class _Codec:
    """Packing and unpacking with one object per Decimal text across a batch both ways: packed
    texts shared, so ``marshal`` writes each once (and loads it as one object), and unpacked
    Decimals shared, as scoring shares them (``item.shared_value``)."""

    def __init__(self) -> None:
        self.texts: dict[str, bytes] = {}
        self.decimals: dict[bytes, Decimal] = {}
        self.items: dict[int, list[Any]] = {}
        # (rubric item, packed values) → the item result unpacked from them: results are
        # frozen, so units whose item came out the same share one (a province's 60,000 item
        # results are about 20,000 different ones)
        self.made: dict[tuple[int, Packed], ItemResult] = {}

    def out(self, obj: Any, shape: _Shape) -> list[Any]:
        values = [getattr(obj, n) for n in shape.names]
        for i in shape.decimals:
            if values[i] is not None:
                values[i] = self._text(values[i])
        return values

    def into(self, values: Sequence[Any], shape: _Shape) -> dict[str, Any]:
        got, known = list(values), self.decimals
        for i in shape.decimals:  # inline: a province unpacks ~250,000 of these
            v = got[i]
            if v is not None:
                d = known.get(v)
                if d is None:
                    d = known[v] = Decimal(v.decode("ascii"))
                got[i] = d
        return dict(zip(shape.names, got, strict=True))

    def pack(self, result: UnitResult, sheet: Sheet, findings: Sequence[Finding]) -> Packed | None:
        """What is kept of a unit's result (None: it is not kept; see the module docstring)."""
        if result.rank is not None or len(result.items) not in (0, len(sheet.items)):
            return None
        items = []
        for r, item in zip(result.items, sheet.items, strict=False):
            if any(getattr(r, mine) is not getattr(item, its) for mine, its in _FROM_ITEM):
                return None
            values = self.out(r, _ITEM)
            if r.register is not None:
                values[_I_REGISTER] = tuple(self.out(r.register, _NOTE))
            items.append(tuple(values))
        unit = self.out(result, _UNIT)
        unit[_U_ITEMS] = tuple(items)
        unit[_U_ENTRIES] = tuple(tuple(self.out(e, _ENTRY)) for e in result.entries)
        unit[_U_CATEGORIES] = tuple(
            (c, self._text(v), self._text(m)) for c, v, m in result.categories
        )
        return (tuple(unit), tuple(finding_tuple(f) for f in findings))

    def _text(self, v: Decimal) -> bytes:
        text = str(v)
        got = self.texts.get(text)
        if got is None:
            got = self.texts[text] = text.encode("ascii")
        return got

    def _decimal(self, v: bytes) -> Decimal:
        d = self.decimals.get(v)
        if d is None:
            d = self.decimals[v] = Decimal(v.decode("ascii"))
        return d

    def unpack(
        self, packed: Packed, head: dict[str, Any], sheet: Sheet
    ) -> tuple[UnitResult, list[Finding]]:
        """The unit's result and findings as ``pack`` kept them; ``head``: the fields from
        the rubric (``batch._unit_head``)."""
        unit_values, found = packed
        got = self.into(unit_values, _UNIT)
        got["items"] = tuple(
            self._item(values, item)
            for values, item in zip(got["items"], sheet.items, strict=False)
        )
        got["entries"] = tuple(Entry(**self.into(e, _ENTRY)) for e in got["entries"])
        got["categories"] = tuple(
            (c, self._decimal(v), self._decimal(m)) for c, v, m in got["categories"]
        )
        return UnitResult(**head, **got), [finding_of(f) for f in found]

    def _item(self, values: Packed, item: Item) -> ItemResult:
        key = (id(item), values)
        try:
            made = self.made.get(key)
        except TypeError:  # not hashable (not of this code's packing): made, never shared
            made, shared = None, False
        else:
            shared = True
        if made is not None:
            return made
        same = self.items.get(id(item))
        if same is None:
            same = self.items[id(item)] = [getattr(item, its) for _mine, its in _FROM_ITEM]
        got = same + list(values)  # the fields in ``_make_item``'s order
        known, at = self.decimals, len(same)
        for i in _ITEM.decimals:
            v = got[at + i]
            if v is not None:
                d = known.get(v)
                if d is None:
                    d = known[v] = Decimal(v.decode("ascii"))
                got[at + i] = d
        note = got[at + _I_REGISTER]
        if note is not None:
            got[at + _I_REGISTER] = RegisterNote(**self.into(note, _NOTE))
        item_result: ItemResult = _make_item(got)
        if shared:
            self.made[key] = item_result
        return item_result


@dataclass
class ScoreMemo:
    """The memo of one submissions folder under one salt: ``key``, ``get`` and ``put`` per
    unit, ``save`` once after scoring. Any failure to read or write it is silent: the run goes
    on as without it."""

    root: Path
    folder: str  # the submissions folder, resolved
    salt: bytes
    entries: dict[bytes, Packed] = field(default_factory=dict)
    fresh: dict[bytes, Packed] = field(default_factory=dict)
    hits: int = 0  # units this run took from the memo
    scored: list[tuple[bytes, UnitResult, Sheet, Sequence[Finding]]] = field(default_factory=list)
    codec: _Codec = field(default_factory=_Codec)

    @classmethod
    def open(
        cls, folder: Path, scheme: Scheme, *, root: Path | None = None, outside: Sequence[Path] = ()
    ) -> ScoreMemo | None:
        """The memo for ``folder`` with its entries loaded, or None when there is no place for
        it (as for the read cache: ``inputs.cache.place_for``)."""
        place = place_for(folder, outside, root)
        if place is None:
            return None
        try:
            resolved = str(Path(folder).resolve())
        except (OSError, ValueError, RuntimeError):
            return None
        memo = cls(root=place, folder=resolved, salt=salt_of(scheme, FORMAT))
        got = load_signed(place, memo.path)
        if _sound(got, memo.salt, resolved):
            memo.entries = got[2]
        return memo

    @property
    def path(self) -> Path:
        return self.root / f"{prefix_for('scores', self.folder)}-{self.salt.hex()}.bin"

    def key(self, inputs: object) -> bytes:
        """A unit's key: its ``UnitInputs``' ``repr`` hashed with the salt (so an entry can
        only ever be taken under the code and rubric it was made with)."""
        return key_of(self.salt, inputs)

    def take(
        self, key: bytes, head: dict[str, Any], sheet: Sheet
    ) -> tuple[UnitResult, list[Finding]] | None:
        """The result and findings kept under ``key`` (None: none, or one this code cannot
        unpack: the unit is scored again)."""
        packed = self.entries.get(key)
        if packed is None:
            return None
        try:
            got = self.codec.unpack(packed, head, sheet)
        except Exception:  # authentic yet not of this code's shape: scored again
            return None
        self.fresh[key] = packed
        self.hits += 1
        return got

    def keep(
        self, key: bytes, result: UnitResult, sheet: Sheet, findings: Sequence[Finding]
    ) -> None:
        """Keep a unit's result (packed when saved: packing between the units' scoring would
        leave its memory in between theirs, which the writers then cannot reuse)."""
        self.scored.append((key, result, sheet, findings))

    def save(self) -> None:
        """Write this run's entries (unused ones dropped), whole, if anything changed; then
        let them go. Where ``fork`` is, a child process packs and writes them: the packing's
        ~15 MB for 10,000 units would otherwise stay in this process's heap, between the
        results, while the outputs are written."""
        try:
            if self.scored or len(self.fresh) != len(self.entries):
                from flowscore.parallel import Forked, can_fork

                if can_fork() and len(self.scored) >= FORK_FROM:
                    child = Forked(self._save)
                    try:
                        child.result()
                    except BaseException:  # interrupted: the child stops (a file is renamed in
                        # only when whole, so nothing half-written is ever read)
                        child.cancel()
                        raise
                else:
                    self._save()
        except Exception:  # the memo only saves time: a run never fails for it (tests see it)
            pass
        finally:
            self.entries, self.fresh, self.codec, self.scored = {}, {}, _Codec(), []

    def _save(self) -> None:
        for key, result, sheet, findings in self.scored:
            packed = self.codec.pack(result, sheet, findings)
            if packed is not None:
                self.fresh[key] = packed
        save_signed(self.root, self.path, (self.salt, self.folder, self.fresh))


def key_of(salt: bytes, inputs: object) -> bytes:
    """``ScoreMemo.key`` for the memo of ``salt``, wherever the unit is scored (a scoring
    worker makes its units' keys when the memo has nothing to take: ``scoring.spread``)."""
    text = repr(inputs).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=20, key=salt).digest()


def _sound(got: Any, salt: bytes, folder: str) -> bool:
    """Whether an authenticated memo file's content has the shape this code writes."""
    return (
        type(got) is tuple
        and len(got) == 3
        and got[0] == salt
        and got[1] == folder
        and type(got[2]) is dict
        and all(
            type(k) is bytes and type(v) is tuple and len(v) == 2 and type(v[0]) is tuple
            for k, v in got[2].items()
        )
    )
