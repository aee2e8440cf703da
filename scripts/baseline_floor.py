"""The floor: the least any program must do to see every value of a folder of spreadsheets.

    .venv/bin/python scripts/baseline_floor.py FOLDER

Open every .xlsx under FOLDER as a zip, read (inflate) each worksheet's XML and the shared
strings, and parse nothing. No program that reads the values can be faster than this in Python;
``scripts/bench.py`` reports flowscore's time as a multiple of it. Prints the file count and the
bytes inflated (so the work cannot be optimised away).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path


def inflate_folder(folder: Path) -> tuple[int, int]:
    files = 0
    inflated = 0
    for path in sorted(folder.rglob("*.xlsx")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for name in names:
                if (
                    name.startswith("xl/worksheets/") and name.endswith(".xml")
                ) or name == "xl/sharedStrings.xml":
                    inflated += len(z.read(name))
        files += 1
    return files, inflated


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("用法：baseline_floor.py 文件夹", file=sys.stderr)
        return 2
    files, inflated = inflate_folder(Path(argv[0]))
    print(f"{files} 个文件，解压 {inflated} 字节")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
