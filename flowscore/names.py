"""Names as people write them: unit identity (roster names after normalising spaces and
full-/half-width brackets, aliases, the closest roster names for a name not on it, DOMAIN.md §5)
and header labels compared the same way (``考  核  内  容`` is ``考核内容``)."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model and its rule kinds are not needed to compare names
    from flowscore.rubric.model import Scheme


def norm(name: str) -> str:
    """``区 教育局（盖章）`` → ``区教育局(盖章)``: NFKC folds full-width brackets and digits."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(text.split())


_PAREN = re.compile(r"\(.*?\)")


def label(value: object) -> str:
    """A header cell as a comparable label: NFKC, no spaces, no parenthesised unit hints."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # The same headers and item texts recur in every sheet of a batch: normalised once each.
    # Only short ones are kept: 8,192 cells of 32,767 characters would hold ~1 GB.
    return _label_kept(text) if len(text) <= LABEL_KEPT else _label_text(text)


LABEL_KEPT = 400  # characters; a rubric's item text is well under this


@functools.lru_cache(maxsize=8192)
def _label_kept(text: str) -> str:
    return _label_text(text)


def _label_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(text.split())
    return _PAREN.sub("", text)


class Roster:
    """Looks units up by any of their written forms."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self._by_norm: dict[str, str] = {}
        for u in scheme.units:
            self._by_norm[norm(u.name)] = u.name
            for a in u.aliases:
                self._by_norm.setdefault(norm(a), u.name)

    def find(self, written: str) -> str | None:
        """The roster name for a written unit name, or None."""
        return self._by_norm.get(norm(written))

    def find_in(self, text: str) -> str | None:
        """A roster name contained in a longer text (a file name, a title); the longest wins."""
        t = norm(text)
        hits = [(len(k), v) for k, v in self._by_norm.items() if k and k in t]
        return max(hits)[1] if hits else None

    def closest(self, written: str, n: int = 3) -> list[str]:
        # A cell of 32,767 characters cannot be 30% like a unit name of a few dozen; comparing
        # only its start keeps the cost of a row flat (difflib indexes the whole text).
        written = written[:200]
        names = [u.name for u in self.scheme.units]
        got = difflib.get_close_matches(norm(written), [norm(x) for x in names], n=n, cutoff=0.3)
        back = {norm(x): x for x in names}
        out = [back[g] for g in got]
        if not out:  # share a character or two: still better than nothing
            scored = sorted(names, key=lambda x: -len(set(x) & set(written)))
            out = [x for x in scored[:n] if set(x) & set(written)]
        return out


def roster_of(scheme: Scheme) -> Roster:
    """The scheme's Roster, built once (templates for thousands of units look names up often)."""
    cached = scheme.__dict__.get("_roster")
    if cached is None:
        cached = Roster(scheme)
        object.__setattr__(scheme, "_roster", cached)  # a cache, not state: frozen is kept
    return cached
