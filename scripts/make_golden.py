"""Write the golden results of the shipped sample years (tests/golden/<scheme>.json).

Run after a deliberate change of scores, read the diff, and commit it with the change:
    .venv/bin/python scripts/make_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowscore.compute import compute_folder  # noqa: E402

SAMPLES = {"haishu-2019": ROOT / "sample_data" / "haishu-2019"}
for extra in ("beilun", "province-2013", "haishu-2019-word"):
    if (ROOT / "sample_data" / extra).is_dir():
        SAMPLES[extra] = ROOT / "sample_data" / extra


def golden(folder: Path) -> dict:
    """The scores that matter, as exact decimal text: per unit and per item."""
    result = compute_folder(folder)

    def s(v):
        return None if v is None else str(v)

    return {
        "scheme": result.scheme_id,
        "units": {
            u.unit: {
                "status": u.status,
                "total": s(u.total),
                "contribution": s(u.contribution),
                "rank": u.rank,
                "bonus": s(u.bonus),
                "penalty": s(u.penalty),
                "categories": {c: s(v) for c, v, _m in u.categories},
                "items": {str(i.no): [s(i.verified), i.source] for i in u.items},
            }
            for u in result.units
        },
        "findings": sorted(
            f"{f.level.value} {f.code} {f.unit} {f.file} {f.cell}".strip() for f in result.report
        ),
    }


def main() -> None:
    out = ROOT / "tests" / "golden"
    out.mkdir(exist_ok=True)
    for name, folder in SAMPLES.items():
        path = out / f"{name}.json"
        path.write_text(
            json.dumps(golden(folder), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        print(path)


if __name__ == "__main__":
    main()
