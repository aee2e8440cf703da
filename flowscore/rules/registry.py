"""The rule kinds a rubric may use, by the name it writes (``kind = "per_count"``).

A new kind is one module under ``rules/`` plus one line here; nothing else names a kind."""

from __future__ import annotations

from flowscore.rules.base import Rule
from flowscore.rules.duty import Duty
from flowscore.rules.per_count import PerCount
from flowscore.rules.rank_points import RankPoints
from flowscore.rules.rank_table import RankTable
from flowscore.rules.rate_shortfall import RateShortfall
from flowscore.rules.threshold import Threshold
from flowscore.rules.yes_no import YesNo

RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (PerCount, RateShortfall, YesNo, Threshold, RankPoints, RankTable, Duty)
}
