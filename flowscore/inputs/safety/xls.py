"""Excel 97-2003 (.xls): the OLE compound file followed to its ``Workbook`` stream, and each
sheet's extent read from its BIFF cell records before calamine allocates a dense grid for it."""

from __future__ import annotations

import struct

from flowscore.inputs.safety.limits import Limits, too_big
from flowscore.inputs.safety.outcome import (
    OK_SCAN,
    Preflight,
    SheetScan,
    not_spreadsheet,
    refuse,
)


def cfb_streams(data: bytes) -> set[str]:
    """Names of the entries in an OLE compound file's root directory (``Workbook``,
    ``EncryptionInfo``…); empty when the structure cannot be followed."""
    try:
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            return set()
        size = 1 << shift
        first_dir = struct.unpack_from("<I", data, 48)[0]
        n_difat = min(109, struct.unpack_from("<I", data, 44)[0])
        fat_sectors = [s for s in struct.unpack_from(f"<{n_difat}I", data, 76) if s < 0xFFFFFFFA]
        fat: list[int] = []
        for s in fat_sectors:
            off = (s + 1) * size
            chunk = data[off : off + size]
            fat.extend(struct.unpack(f"<{len(chunk) // 4}I", chunk[: len(chunk) // 4 * 4]))
        names: set[str] = set()
        sector, seen = first_dir, set()
        while sector < 0xFFFFFFFA and sector not in seen and len(seen) < 4096:
            seen.add(sector)
            off = (sector + 1) * size
            for e in range(off, off + size, 128):
                entry = data[e : e + 128]
                if len(entry) < 128:
                    break
                n = struct.unpack_from("<H", entry, 64)[0]
                if 2 <= n <= 64 and entry[66] in (1, 2):
                    names.add(entry[: n - 2].decode("utf-16-le", "replace"))
            sector = fat[sector] if sector < len(fat) else 0xFFFFFFFE
        return names
    except (struct.error, IndexError):
        return set()


def cfb_stream(data: bytes, wanted: set[str]) -> bytes | None:
    """The first stream of an OLE compound file whose name (lower case) is in ``wanted``, or
    None. Sector chains are followed with loop guards; only what the file holds is read."""
    try:
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            return None
        size = 1 << shift
        n_fat, first_dir, _, cutoff, first_mini_fat, n_mini_fat, first_difat, n_difat = (
            struct.unpack_from("<IIIIIIII", data, 44)
        )
        difat = [x for x in struct.unpack_from("<109I", data, 76) if x < 0xFFFFFFFA]
        sector, guard = first_difat, 0
        while sector < 0xFFFFFFFA and guard < n_difat + 1 and len(difat) < n_fat:
            vals = struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)
            difat += [x for x in vals[:-1] if x < 0xFFFFFFFA]
            sector, guard = vals[-1], guard + 1
        fat: list[int] = []
        for s in difat[:n_fat]:
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, (s + 1) * size))

        def chain(start: int, table: list[int]) -> list[int]:
            out, seen = [], set()
            while start < 0xFFFFFFFA and start < len(table) and start not in seen:
                seen.add(start)
                out.append(start)
                start = table[start]
            return out

        def read(start: int, length: int) -> bytes:
            parts = [data[(x + 1) * size : (x + 2) * size] for x in chain(start, fat)]
            return b"".join(parts)[:length]

        directory = read(first_dir, len(data))
        entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        root = entries[0] if entries else b""
        for e in entries:
            n = struct.unpack_from("<H", e, 64)[0]
            if not (2 <= n <= 64 and e[66] == 2):
                continue
            name = e[: n - 2].decode("utf-16-le", "replace").lower()
            if name not in wanted:
                continue
            start, length = struct.unpack_from("<II", e, 116)
            if length >= cutoff:
                return read(start, length)
            mini_fat: list[int] = []
            for x in chain(first_mini_fat, fat)[:n_mini_fat]:
                mini_fat.extend(struct.unpack_from(f"<{size // 4}I", data, (x + 1) * size))
            rs, rl = struct.unpack_from("<II", root, 116)
            container = read(rs, rl)
            ms = 1 << mini_shift
            return b"".join(container[x * ms : (x + 1) * ms] for x in chain(start, mini_fat))[
                :length
            ]
    except (struct.error, IndexError, ValueError):
        return None
    return None


# BIFF cell records that hold a value (row at 0, column at 2); blanks are not kept by readers.
_BIFF_CELLS = frozenset(
    {0x0203, 0x00FD, 0x0204, 0x027E, 0x0205, 0x0006, 0x00D6, 0x0003, 0x0004, 0x0002, 0x0005}
)
_BIFF_MULRK = 0x00BD


def scan_biff(stream: bytes, limits: Limits) -> dict[str, SheetScan]:
    """Each worksheet's extent from an .xls ``Workbook`` stream (BIFF5/8 records), named from
    its BOUNDSHEET record. Raises a refusal for a workbook with a password (FILEPASS)."""
    names: dict[int, str] = {}
    out: dict[str, SheetScan] = {}
    pos, end = 0, len(stream)
    current: str | None = None
    rows = cols = 0
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if rtype == 0x0809:  # BOF
            dt = struct.unpack_from("<H", stream, body + 2)[0] if length >= 4 else 0
            current = names.get(pos, f"#{len(out) + 1}") if dt == 0x0010 else None
            rows = cols = 0
        elif rtype == 0x000A:  # EOF
            if current is not None:
                out[current] = SheetScan(rows=rows, cols=cols)
            current = None
        elif rtype == 0x002F and current is None:
            raise refuse("file-encrypted")
        elif rtype == 0x0085 and length >= 8:  # BOUNDSHEET: stream offset, state, type, name
            offset = struct.unpack_from("<I", stream, body)[0]
            cch, high = stream[body + 6], stream[body + 7] if length > 7 else 0
            raw = stream[body + 8 : body + 8 + cch * (2 if high & 1 else 1)]
            names[offset] = raw.decode("utf-16-le" if high & 1 else "latin-1", "replace")
        elif current is not None and length >= 4 and rtype in _BIFF_CELLS:
            r, c = struct.unpack_from("<HH", stream, body)
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        elif current is not None and rtype == _BIFF_MULRK and length >= 6:
            r = struct.unpack_from("<H", stream, body)[0]
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, cols = max(rows, r + 1), max(cols, last + 1)
        pos = body + length
    if current is not None:
        out[current] = SheetScan(rows=rows, cols=cols)
    return out


def scan_cfb(data: bytes, suffix: str, limits: Limits, pre: Preflight) -> None:
    """An OLE compound file: an encrypted OOXML workbook, an .xls (each sheet bounded), or some
    other Office document."""
    streams = {s.lower() for s in cfb_streams(data)}
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        raise refuse("file-encrypted")
    if "workbook" in streams or "book" in streams or not streams:
        pre.kind = "xls"
        # calamine reads every sheet of an .xls on opening, each as a dense grid: a 5 KB file
        # whose sheets span A1:IV65536 asks for 0.5 GB a sheet. Bound them first.
        stream = cfb_stream(data, {"workbook", "book"})
        if stream is None:
            raise refuse("file-unreadable", "xls")
        pre.sheets = scan_biff(stream, limits)
        for name, scan in pre.sheets.items():
            if why := too_big(scan.rows, scan.cols, limits):
                raise refuse("sheet-too-large", "whole", sheet=name, why=why)
        pre.worst = OK_SCAN
    elif "worddocument" in streams:
        raise not_spreadsheet("Word 97-2003 文档（.doc）", suffix)
    else:
        raise not_spreadsheet("Office 文件，但不是 Excel 工作簿", suffix)
