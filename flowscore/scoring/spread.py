"""Scoring a large batch's units in worker processes.

A first run scores 10,000 units in ~6 s of exact arithmetic, in one process, while the other
core idles (reading, before it, uses every core). Once the rankings across units are prepared
(``batch._prepare_rankings``), each unit is scored from its ``UnitInputs`` alone, so the units
can be scored anywhere.

A worker scores its units with ``batch._score_unit`` and sends each result back packed as the
score memo keeps it (``memo._Codec``), with the findings its scoring made: this process unpacks
exactly what a memo entry would give — the memo's tests (every sample unit packs and unpacks to
the same ``repr``) hold for it too — and adds the findings to the report in roster order, as
if it had scored the units itself. A result the codec does not keep, or a unit whose worker
died, comes back as None and is scored here.

Under ``fork`` the workers inherit the units' inputs and each task is an index; under
``spawn`` (Windows) each task carries its ``UnitInputs``, pickled (~0.04 ms a unit). The
workers are ``workers.Pool``'s: they ignore Ctrl-C, die with this process and are stopped when
the run is interrupted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowscore.findings import Finding
    from flowscore.results import UnitResult
    from flowscore.rubric.model import Scheme
    from flowscore.scoring.batch import Basis, UnitInputs
    from flowscore.scoring.memo import _Codec

# Units to score before workers pay: a forked pool starts in ~25 ms and scoring a unit costs
# ~0.6 ms, so from ~1,000 units two workers save a quarter of a second or more; a spawned
# worker first imports flowscore and unpickles its units (~0.4 s), so it pays from ~4,000.
SPREAD_FROM = {"fork": 1000, "spawn": 4000, "forkserver": 4000}


def worth_it(jobs: int, units: int) -> bool:
    """Whether ``units`` units are scored in ``jobs`` workers (else in this process)."""
    from flowscore.parallel import start_method

    return jobs > 1 and units >= SPREAD_FROM.get(start_method(), 4000)


def score_elsewhere(
    scheme: Scheme,
    xs: list[UnitInputs],
    *,
    jobs: int,
    codec: _Codec | None = None,
    salt: bytes | None = None,
) -> Iterator[tuple[UnitResult, list[Finding], bytes | None] | None]:
    """Each unit's result and findings, scored by workers, in the order of ``xs`` (None: to be
    scored by the caller), and, given the memo's ``salt``, the unit's memo key
    (``memo.key_of``, made by the worker: on a first run nothing is taken from the memo, so
    the keys need not be made before scoring). ``codec`` unpacks them (the memo's, so its
    Decimals are shared)."""
    from flowscore.parallel import map_batches, start_method
    from flowscore.scoring.batch import _unit_head
    from flowscore.scoring.memo import _Codec

    codec = codec or _Codec()
    inherit = start_method() == "fork"
    scored = map_batches(
        _score_batch,
        list(range(len(xs))) if inherit else list(xs),
        jobs=jobs,
        init=_init,
        init_arg=(scheme, xs if inherit else None, salt),
        isolate=True,
        crashed=_crashed,
        role="计分",
    )
    for x, sent in zip(xs, scored, strict=True):
        got = None
        if sent is not None and sent[0] is not None:
            packed, key = sent
            sheet = scheme.sheet(x.unit.sheet)
            head = _unit_head(x.unit, scheme.tier(x.unit.tier), sheet)
            try:
                result, findings = codec.unpack(packed, head, sheet)
                got = (result, findings, key)
            except Exception:  # pragma: no cover - packed by this very code: scored here then
                got = None
        yield got


_basis: Basis | None = None
_inherited: list[UnitInputs] | None = None
_codec: _Codec | None = None
_salt: bytes | None = None


def _init(arg: tuple[Scheme, list[UnitInputs] | None, bytes | None]) -> None:
    global _basis, _inherited, _codec, _salt
    from flowscore.scoring.batch import Basis
    from flowscore.scoring.memo import _Codec

    scheme, _inherited, _salt = arg
    _basis, _codec = Basis.of(scheme), _Codec()


def _score_batch(tasks: list[Any]) -> list[Any]:
    """Each task's unit scored and packed (None: its result is not one the codec keeps), with
    its memo key when the memo's salt was given."""
    from flowscore.findings import Report
    from flowscore.scoring.batch import _score_unit
    from flowscore.scoring.memo import key_of

    assert _basis is not None and _codec is not None
    out = []
    for task in tasks:
        x = _inherited[task] if isinstance(task, int) and _inherited is not None else task
        own = Report()
        result = _score_unit(_basis, x, own)
        packed = _codec.pack(result, _basis.scheme.sheet(x.unit.sheet), own.in_order())
        out.append((packed, key_of(_salt, x) if _salt is not None else None))
    return out


def _crashed(task: Any, reason: str) -> None:
    return None  # the unit is scored in the main process, where a real error shows itself
