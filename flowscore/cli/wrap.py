"""Where a line of Chinese text may break, and where it must at a given width.

rich breaks lines at spaces only, so "居住证申领率 27.30%（1447/5300），低于…" wrapped at the
space and left a lone "居住证申领率" on its own line, or cut a space-less sentence with "…".
Chinese breaks between any two characters, except that closing punctuation (，。）) never starts
a line and opening punctuation (（“《) never ends one; a Latin word or a number (27.30%,
1447/5300) stays whole. This is the small part of the Unicode line-breaking rules that the
texts flowscore prints need."""

from __future__ import annotations

from rich.cells import cell_len

_NO_START = set("，。、；：？！）》」』】〕”’…%％·,.;:?!)]}")
_NO_END = set("（《「『【〔“‘([{")


def _wide(ch: str) -> bool:
    return cell_len(ch) == 2


def _may_break_before(text: str, i: int) -> bool:
    """A line may begin at ``text[i]``."""
    prev, ch = text[i - 1], text[i]
    if ch in _NO_START or prev in _NO_END:
        return False
    if prev == " ":
        return ch != " "
    return _wide(prev) or _wide(ch)


def break_offsets(text: str, width: int) -> list[int]:
    """The offsets at which ``text`` is cut into lines no wider than ``width`` columns (a line
    holding one unbreakable word wider than that is cut at the edge)."""
    width = max(width, 2)
    cuts: list[int] = []
    start, used = 0, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            cuts.append(i + 1)
            start, used = i + 1, 0
            continue
        size = cell_len(ch)
        if used + size > width and i > start:
            # the latest place in this line where it may break, else at the edge
            cut = next((j for j in range(i, start, -1) if _may_break_before(text, j)), i)
            cuts.append(cut)
            start = cut
            used = cell_len(text[start:i])
        used += size
    return cuts
