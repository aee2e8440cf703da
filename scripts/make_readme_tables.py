"""Write the README's tables of problem kinds from ``flowscore/catalog.py`` (the one definition
of every kind): each group's table between its markers ``<!-- catalog:GROUP -->`` and
``<!-- /catalog:GROUP -->``. Run after changing the catalog:
    .venv/bin/python scripts/make_readme_tables.py
``tests/test_catalog.py`` fails while the README and the catalog disagree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowscore.catalog import CATALOG, GROUPS  # noqa: E402

README = ROOT / "README.md"
_BLOCK = re.compile(r"(<!-- catalog:(\w+) -->\n).*?(<!-- /catalog:\2 -->)", re.S)


def _levels(code: str) -> str:
    k = CATALOG[code]
    shown = [k.level.label] + [lv.label for lv in k.levels.values() if lv is not k.level]
    return "/".join(dict.fromkeys(shown))


def table(group: str) -> str:
    """The Markdown table of one group's kinds, in catalog order."""
    rows = ["| 代码 | 名称 | 级别 | 含义 | 怎么办 |", "|---|---|---|---|---|"]
    for code, k in CATALOG.items():
        if k.group == group:
            rows.append(f"| `{code}` | {k.name} | {_levels(code)} | {k.meaning} | {k.action} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    """``text`` (the README) with every catalog block rewritten."""
    return _BLOCK.sub(lambda m: m.group(1) + table(m.group(2)) + m.group(3), text)


def main() -> None:
    text = README.read_text("utf-8")
    missing = [g for g in GROUPS if f"<!-- catalog:{g} -->" not in text]
    if missing:
        sys.exit(f"README.md lacks the markers of: {', '.join(missing)}")
    README.write_text(render(text), "utf-8")


if __name__ == "__main__":
    main()
