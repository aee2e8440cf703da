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
        sector, seen = first_dir, set[int]()
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


def cfb_header_bounded(data: bytes) -> None:
    """Refuse a compound-file header whose counts calamine trusts before reading anything: it
    reserves ``fat_len`` FAT entries (2³¹ asked for 8 GB) and, from bytes 62–65 (a quirk of its
    header reader), as many DIFAT entries; a file of n sectors needs at most n of either."""
    if len(data) < 76:
        return
    shift = struct.unpack_from("<H", data, 30)[0]
    sectors = len(data) // (1 << shift if shift in (9, 12) else 512) + 1
    fat_len = struct.unpack_from("<I", data, 44)[0]
    if fat_len > sectors:
        raise refuse("file-unsafe", "declared", part="文件头", what="FAT 扇区数", count=fat_len)
    difat_len = struct.unpack_from("<I", data, 62)[0]
    if difat_len > max(sectors, 1 << 24):  # 64 MB of entries; normal files stay far below
        raise refuse("file-unsafe", "declared", part="文件头", what="DIFAT 长度", count=difat_len)


def cfb_stream(data: bytes, wanted: set[str]) -> bytes | None:
    """The first stream of an OLE compound file whose name (lower case) is in ``wanted``, or
    None. Sector chains are followed with loop guards; only what the file holds is read. A
    directory chain that loops is refused: calamine follows it without end (memory grows until
    the process dies)."""
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
            if start in seen:
                loops.append(start)
            return out

        loops: list[int] = []

        def read(start: int, length: int) -> bytes:
            parts = [data[(x + 1) * size : (x + 2) * size] for x in chain(start, fat)]
            return b"".join(parts)[:length]

        directory = read(first_dir, len(data))
        if loops:
            raise refuse("file-unsafe", "structure", what="目录扇区链循环")
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
    """Each worksheet's extent from an .xls ``Workbook`` stream (BIFF5/8 records), walked as
    calamine walks it: the globals from the start (BOUNDSHEET records give each sheet's name and
    offset, FILEPASS a password), then every sheet from its own offset to its EOF, nested
    substreams (embedded charts) skipped. Cells count by position; a DIMENSIONS record counts by
    what it claims (calamine reserves rows × columns cells, 40 bytes each, on its word: 2³²−1
    rows asked for 171 GB). Raises a refusal for a password, or for a sheet record calamine
    would fail on (an offset past the stream, a record too short: it panics)."""
    sheets: list[tuple[int, str]] = []
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if rtype == 0x000A:  # EOF of the globals
            break
        if rtype == 0x002F and length >= 2 and struct.unpack_from("<H", stream, body)[0]:
            raise refuse("file-encrypted")
        if rtype == 0x0085:  # BOUNDSHEET: stream offset, state, type, name
            if length < 8 or body + 8 > end:
                raise refuse("file-unsafe", "structure", what="工作表记录不完整")
            offset = struct.unpack_from("<I", stream, body)[0]
            if offset > end:
                raise refuse("file-unsafe", "structure", what="工作表记录指向文件之外")
            cch, high = stream[body + 6], stream[body + 7]
            raw = stream[body + 8 : body + 8 + cch * (2 if high & 1 else 1)]
            name = raw.decode("utf-16-le" if high & 1 else "latin-1", "replace")
            sheets.append((offset, name or f"#{len(sheets) + 1}"))
        pos = body + length
    out: dict[str, SheetScan] = {}
    for offset, name in sheets:
        scan, declared = _sheet_extent(stream, offset)
        if declared is not None and (why := too_big(*declared, limits)):
            raise refuse("sheet-too-large", "declared", sheet=name, why=why)
        old = out.get(name)
        if old is None or scan.cells > old.cells:
            out[name] = scan
    return out


def _sheet_extent(stream: bytes, pos: int) -> tuple[SheetScan, tuple[int, int] | None]:
    """(the extent of the cells holding values, the largest rows × columns a DIMENSIONS record
    claims) of the sheet starting at ``pos``."""
    end = len(stream)
    rows = cols = 0
    declared: tuple[int, int] | None = None
    depth = 0
    seen_bof = False
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > end:
            break  # calamine stops with an error here: the file is unreadable
        if depth:
            depth += rtype == 0x0809
            depth -= rtype == 0x000A
            continue
        if rtype == 0x0809:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif rtype == 0x000A:
            break
        elif rtype == 0x0200 and length in (10, 14):  # DIMENSIONS
            if length == 10:
                rf, rl, cf, cl = struct.unpack_from("<HHHH", stream, body)
            else:
                rf, rl, cf, cl = struct.unpack_from("<IIHH", stream, body)
            if cf > 0xFF or cl < cf:
                cf = 0
            if rl >= 1 and cl >= 1:
                claim = (max(0, rl - rf), max(0, cl - cf))
                if declared is None or claim[0] * claim[1] > declared[0] * declared[1]:
                    declared = claim
        elif length >= 4 and rtype in _BIFF_CELLS:
            r, c = struct.unpack_from("<HH", stream, body)
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        elif rtype == _BIFF_MULRK and length >= 6:
            r = struct.unpack_from("<H", stream, body)[0]
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, cols = max(rows, r + 1), max(cols, last + 1)
    return SheetScan(rows=rows, cols=cols), declared


def scan_cfb(data: bytes, suffix: str, limits: Limits, pre: Preflight) -> None:
    """An OLE compound file: an encrypted OOXML workbook, an .xls (each sheet bounded), or some
    other Office document."""
    streams = {s.lower() for s in cfb_streams(data)}
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        raise refuse("file-encrypted")
    if "workbook" in streams or "book" in streams or not streams:
        pre.kind = "xls"
        cfb_header_bounded(data)
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
