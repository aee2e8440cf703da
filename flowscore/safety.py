"""Checks on a submitted file before any parser touches it: what it really is, and whether it is
safe to open.

Submissions come from dozens of units by mail and USB stick; a file may be damaged, disguised,
encrypted or hostile. ``preflight`` looks at the bytes and returns what to open and how, or a
refusal, without expanding anything unbounded:

* **Format by content**, not by extension: zip (``.xlsx``/``.ods``), OLE compound file (``.xls``,
  or an encrypted OOXML workbook: an ``EncryptionInfo`` stream), HTML or XML "spreadsheets",
  plain text, PDF.
* **Zip bombs**: the central directory's declared sizes are checked (members, total, ratio) before
  anything is inflated. Declared sizes can lie, but deflate cannot expand more than ~1032:1, so a
  file whose compressed parts × 1032 fit in the limit cannot inflate past it; only larger files
  get a streamed inflation bounded by the declared sizes.
* **Untrusted XML**: OOXML and ODF never need a DTD, so any part with ``<!DOCTYPE``/``<!ENTITY``
  (entity expansion "billion laughs", external entities) is refused. (calamine's quick-xml does
  not expand DTD entities either — it fails on them — and defusedxml forbids them; the scan turns
  that into a clear refusal.)
* **Sheet dimensions**: calamine allocates a dense grid from the first to the last cell, 32 bytes
  a cell, before Python sees anything — one stray value at XFD1048576 asks for 550 GB and aborts
  the process. The cell references of each worksheet (and the repeat counts of an ODF table) are
  scanned first, and a sheet over ``max_rows`` or ``max_cells`` is skipped with a finding.
* **Formula error values**: calamine gives ``#DIV/0!`` cells as empty strings; the scan collects
  them so the reader sees the error text, not a blank.

Everything here is bytes and regular expressions: about 0.1 ms on a normal 7–10 KB workbook
(central directory read directly, only the parts a reader parses inflated, a normal sheet
cleared by a few byte searches); a 100,000-row sheet takes 0.3 s.
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from typing import NamedTuple

MB = 1024 * 1024
DEFLATE_MAX_RATIO = 1032  # the most deflate can expand (258-byte matches from 2-bit codes)


@dataclass(frozen=True)
class Limits:
    """What flowscore agrees to open. ``--max-size`` and ``--max-rows`` set the first two."""

    max_size: int = 256 * MB  # bytes: the file on disk, and its parts once inflated, in total
    max_rows: int = 200_000  # rows of one sheet (Excel allows 1,048,576)
    max_cells: int = 5_000_000  # rows × columns of one sheet (calamine: 32 bytes a cell)
    max_members: int = 10_000  # parts in one zip (a workbook has a dozen)
    max_ratio: int = 200  # declared inflated:compressed size of one part, above ratio_grace
    ratio_grace: int = 1 * MB  # parts smaller than this are never refused for their ratio
    max_shown: int = 60  # characters of a cell's text quoted in a message

    @classmethod
    def from_options(
        cls, *, max_size_mb: float | None = None, max_rows: int | None = None
    ) -> Limits:
        base = cls()
        return cls(
            max_size=int(max_size_mb * MB) if max_size_mb else base.max_size,
            max_rows=max_rows or base.max_rows,
        )

    @property
    def size_label(self) -> str:
        mb = self.max_size / MB
        return f"{mb:g} MB"


DEFAULT_LIMITS = Limits()


# ----------------------------------------------------------------------------------------------
# Outcome


@dataclass(frozen=True)
class Refusal:
    """Why a file is not opened; workbook.py turns it into a Finding naming the file."""

    code: str
    message: str
    hint: str
    sheet: str = ""


@dataclass(frozen=True)
class SheetScan:
    rows: int  # 1-based index of the last row holding a value (0: none)
    cols: int
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 0-based

    @property
    def cells(self) -> int:
        return self.rows * self.cols


@dataclass
class Preflight:
    kind: str = ""  # xlsx, xls, ods: how to open the file
    refusal: Refusal | None = None
    notes: list[Refusal] = field(default_factory=list)  # info: read by content, not extension
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # by sheet name
    worst: SheetScan | None = None  # the largest worksheet part, for a name not matched
    custom_xml: bytes | None = None


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _refuse(code: str, message: str, hint: str, sheet: str = "") -> _Refused:
    return _Refused(Refusal(code, message, hint, sheet))


_HINT_RESAVE = "用 Excel、WPS 或 LibreOffice 打开确认文件完好，另存为 .xlsx 后重新提交"
_HINT_PASSWORD = (
    "请去掉密码（Excel：文件 › 信息 › 保护工作簿 › 用密码进行加密，清空密码；"
    "WPS：文件 › 文档加密）后另存为 .xlsx 再提交"
)
_HINT_UNSAFE = (
    "正常的 Excel/WPS 文件不会有这种内容。请用 Excel 或 WPS 打开后另存为新的 .xlsx 再提交；"
    "来历不明的文件请交信息安全人员检查"
)

# ----------------------------------------------------------------------------------------------
# Format by content

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OTHER_MAGIC = (
    (b"%PDF", "PDF 文档"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"{\\rtf", "RTF 文档"),
    (b"\x1f\x8b", "gzip 压缩包"),
)
_KIND_NAMES = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}
_SUFFIX_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}


def sniff(head: bytes) -> str:
    """``zip``, ``cfb``, ``markup`` (HTML/XML), ``empty`` or a Chinese name of what it is."""
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return name
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff\x00 \t\r\n")
    if text.startswith(b"<"):
        return "markup"
    if all(b >= 0x20 or b in b"\t\r\n" for b in head):  # UTF-8, GBK and ASCII text
        return "纯文本"
    return "无法识别的内容"


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
            raise _refuse("file-encrypted", "工作簿设有打开密码，无法读取", _HINT_PASSWORD)
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


# ----------------------------------------------------------------------------------------------
# XML


_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_DTD_ANYWHERE = re.compile(rb"<!(?!--|\[CDATA\[)")


def _utf8(buf: bytes) -> bytes:
    """UTF-16 XML (allowed by the standards, never written by Excel) as UTF-8 for scanning."""
    if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or buf[:2] in (b"<\x00", b"\x00<"):
        enc = (
            "utf-16"
            if buf.startswith((b"\xff\xfe", b"\xfe\xff"))
            else ("utf-16-le" if buf[:1] == b"<" else "utf-16-be")
        )
        return buf[: len(buf) // 2 * 2].decode(enc, "replace").encode("utf-8")
    return buf[3:] if buf.startswith(b"\xef\xbb\xbf") else buf


def _prolog_state(buf: bytes) -> str:
    """``dtd`` when the prolog holds a declaration, ``ok`` when the root element starts,
    ``more`` when ``buf`` ends inside the prolog."""
    if buf[:1] == b"<" and buf[1:2] not in (b"?", b"!"):
        return "ok"  # no declaration: the root element first (openpyxl)
    if buf[:5] == b"<?xml" and (end := buf.find(b"?>")) > 0:
        rest = buf[end + 2 : end + 8].lstrip()
        if rest[:1] == b"<" and rest[1:2] not in (b"?", b"!"):
            return "ok"  # the declaration, then the root element (Excel, WPS, LibreOffice)
    buf = _utf8(buf)
    rest = buf[_PROLOG.match(buf).end() :]
    if not rest or rest.startswith((b"<!--", b"<?")) or rest in (b"<", b"<!", b"<!-"):
        return "more"  # the end of what was inflated, or a comment/PI that runs past it
    return "dtd" if rest.startswith(b"<!") else "ok"


def _check_xml(name: str, data: bytes) -> None:
    if _DTD_ANYWHERE.search(_utf8(data)):
        raise _unsafe_dtd(name)


def _unsafe_dtd(name: str) -> _Refused:
    return _refuse(
        "file-unsafe",
        f"文件内部的 {name} 含有 DTD/实体声明（可能是“实体膨胀”或外部实体攻击），拒绝读取",
        _HINT_UNSAFE,
    )


# ----------------------------------------------------------------------------------------------
# Zip


class Member(NamedTuple):
    """One entry of a zip's central directory (the fields a ``zipfile.ZipInfo`` has)."""

    filename: str
    flag_bits: int
    compress_type: int
    compress_size: int
    file_size: int
    header_offset: int

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


_EOCD = struct.Struct("<4sHHHHIIH")
_CDIR = struct.Struct("<4s4xHH4x4xIIHHH4x4xI")


def central_directory(data: bytes) -> list[Member]:
    """The members of a zip held in ``data``; the common layout is read directly (a few µs),
    anything unusual (zip64, data before the archive) through ``zipfile``."""
    eocd = len(data) - _EOCD.size
    if data[eocd : eocd + 4] != b"PK\x05\x06":
        eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0:
        _, _, _, _, total, cd_size, cd_off, _ = _EOCD.unpack_from(data, eocd)
        if total != 0xFFFF and cd_off != 0xFFFFFFFF and cd_off + cd_size == eocd:
            out = []
            pos = cd_off
            for _ in range(total):
                if data[pos : pos + 4] != b"PK\x01\x02":
                    break
                _, flags, method, csize, usize, nlen, xlen, clen, off = _CDIR.unpack_from(data, pos)
                raw = data[pos + 46 : pos + 46 + nlen]
                try:
                    name = raw.decode("ascii")
                except UnicodeDecodeError:
                    name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
                out.append(Member(name, flags, method, csize, usize, off))
                pos += 46 + nlen + xlen + clen
            else:
                return out
    zf = zipfile.ZipFile(BytesIO(data))
    return [
        Member(
            i.filename, i.flag_bits, i.compress_type, i.compress_size, i.file_size, i.header_offset
        )
        for i in zf.infolist()
    ]


class _Zip:
    """A zip held in memory, its members inflated on request within the limits."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.data = data
        self.limits = limits
        try:
            self.infos = central_directory(data)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            ValueError,
            OSError,
            EOFError,
            struct.error,
        ) as exc:
            raise _refuse(
                "file-unreadable",
                "文件已损坏（压缩结构不完整），可能没有完整下载或复制",
                _HINT_RESAVE,
            ) from exc
        self.by_name = {i.filename: i for i in self.infos}

    def check_declared(self) -> None:
        lim = self.limits
        if len(self.infos) > lim.max_members:
            raise _refuse(
                "file-unsafe",
                f"文件内部有 {len(self.infos)} 个部件（正常的工作簿只有十几个），拒绝读取",
                _HINT_UNSAFE,
            )
        total = 0
        for i in self.infos:
            if i.flag_bits & 0x1:
                raise _refuse(
                    "file-encrypted", "文件被压缩软件加密，无法读取", "请提交未加密的 .xlsx 文件"
                )
            ratio_over = i.file_size > lim.max_ratio * max(1, i.compress_size)
            if i.file_size > lim.ratio_grace and ratio_over:
                raise _refuse(
                    "file-unsafe",
                    f"文件内部的 {i.filename} 压缩比异常（{_mb(i.compress_size)} 解压后声称 "
                    f"{_mb(i.file_size)}），疑似“压缩炸弹”，未解压即拒绝",
                    _HINT_UNSAFE,
                )
            total += i.file_size
        if total > lim.max_size:
            raise _refuse(
                "file-too-large",
                f"文件解压后有 {_mb(total)}，超过上限 {lim.size_label}，未读取",
                f"确认文件内容正确（评分表和指标表通常不到 1 MB）；确需处理时用 --max-size "
                f"调高上限，例如 --max-size {int(total / MB) + 1}",
            )

    def needs_bounded_inflation(self) -> bool:
        """True when the parts could inflate past the limit whatever their declared sizes say."""
        return sum(i.compress_size for i in self.infos) * DEFLATE_MAX_RATIO > self.limits.max_size

    def _raw(self, info: Member) -> memoryview:
        off = info.header_offset
        d = self.data
        if d[off : off + 4] != b"PK\x03\x04":
            raise _refuse(
                "file-unreadable",
                f"文件已损坏（内部部件 {info.filename} 的位置不对），可能没有完整下载或复制",
                _HINT_RESAVE,
            )
        n, m = struct.unpack_from("<HH", d, off + 26)
        start = off + 30 + n + m
        if start + info.compress_size > len(d):
            raise _refuse(
                "file-unreadable",
                f"文件已损坏（内部部件 {info.filename} 不完整），可能没有完整下载或复制",
                _HINT_RESAVE,
            )
        return memoryview(d)[start : start + info.compress_size]

    def read(self, name: str, *, head: int | None = None) -> bytes:
        """Inflate a member, never past its declared size (a lie is refused); ``head``: only the
        first bytes."""
        info = self.by_name[name]
        raw = self._raw(info)
        limit = info.file_size if head is None else min(head, info.file_size)
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw[: limit + 1])
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                out = zlib.decompressobj(-15).decompress(raw, limit + 1)
            except zlib.error as exc:
                raise _refuse(
                    "file-unreadable",
                    f"文件已损坏（内部部件 {info.filename} 无法解压）",
                    _HINT_RESAVE,
                ) from exc
        else:
            raise _refuse(
                "file-unreadable",
                f"文件内部部件 {info.filename} 使用了不常见的压缩方式，无法读取",
                _HINT_RESAVE,
            )
        if len(out) > limit:
            if head is not None and limit < info.file_size:
                return out[:limit]
            raise _refuse(
                "file-unsafe",
                f"文件内部的 {info.filename} 解压后比声明的大小更大，疑似“压缩炸弹”，已停止解压",
                _HINT_UNSAFE,
            )
        return out

    def xml_prolog_ok(self, name: str) -> None:
        """Refuse a part whose prolog declares a DTD, inflating only as far as the root tag."""
        info = self.by_name[name]
        size = 512
        while True:
            buf = self.read(name, head=size)
            state = _prolog_state(buf)
            if state == "dtd":
                raise _unsafe_dtd(name)
            if state == "ok" or len(buf) >= info.file_size:
                return
            size *= 8

    def bounded_inflation(self) -> None:
        """Inflate every member once, in pieces, stopping at its declared size and at the limit."""
        total = 0
        for info in self.infos:
            if info.is_dir():
                continue
            raw = self._raw(info)
            if info.compress_type == zipfile.ZIP_STORED:
                total += len(raw)
                continue
            if info.compress_type != zipfile.ZIP_DEFLATED:
                continue  # refused if anything reads it
            d = zlib.decompressobj(-15)
            got = pos = 0
            step = 1 * MB
            while not d.eof:
                if d.unconsumed_tail:
                    piece = d.unconsumed_tail
                elif pos < len(raw):
                    piece, pos = raw[pos : pos + step], pos + step
                else:
                    piece = b""
                try:
                    out = len(d.decompress(piece, step))
                except zlib.error as exc:
                    raise _refuse(
                        "file-unreadable",
                        f"文件已损坏（内部部件 {info.filename} 无法解压），可能没有完整下载或复制",
                        _HINT_RESAVE,
                    ) from exc
                got += out
                if got > info.file_size or total + got > self.limits.max_size:
                    raise _refuse(
                        "file-unsafe",
                        f"文件内部的 {info.filename} 解压后超过声明的大小或上限 "
                        f"{self.limits.size_label}，疑似“压缩炸弹”，已停止解压",
                        _HINT_UNSAFE,
                    )
                if not out and not piece:
                    break  # a truncated stream: the reader will say it is damaged
            total += got


def _mb(n: int) -> str:
    if n >= MB:
        return f"{n / MB:,.0f} MB"
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} 字节"


# ----------------------------------------------------------------------------------------------
# OOXML worksheets

# Greedy patterns only: sre's lazy ``*?`` costs ten times as much on these files.
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ODD_CELL = re.compile(rb'<c(?! r=")[\s/>]')  # a cell tag not written <c r="…"
_CELL_ROW = re.compile(rb'<c r="[A-Za-z]+([0-9]+)"[^>]*(?<!/)>(?!</c>)')  # a cell holding a value
_CELL_LETTERS = re.compile(rb'<c r="([A-Za-z]+)[0-9]+"[^>]*(?<!/)>(?!</c>)')
_TWO_LETTERS = re.compile(rb'<c r="[A-Za-z]{2}')
_TAG_WALK = re.compile(rb"<" + _NS + rb"(row|c)([\s/][^>]*)?>")
_ATTR_R = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([A-Za-z]*)([0-9]+)["']""")
_T_E = re.compile(rb"""\st\s*=\s*["']e["']""")
_IS_CELL = re.compile(rb"<" + _NS + rb"c\s")
_V = re.compile(rb"<" + _NS + rb"v>([^<]*)<")
_ATTRS = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def col_number(letters: bytes | str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    n = 0
    for ch in (letters if isinstance(letters, str) else letters.decode()).upper():
        n = n * 26 + ord(ch) - 64
    return n


_FAR = re.compile(rb'r="(?:[A-Za-z]{2}|[A-Za-z]?[0-9]{4})')  # a column past Z or a row past 999
OK_SCAN = SheetScan(rows=0, cols=0)  # a part checked quickly: within every limit


def quick_worksheet(data: bytes, limits: Limits) -> SheetScan:
    """``OK_SCAN`` when a cheap look proves the sheet small and free of error values (a normal
    sheet: one pattern and four byte searches, ~20 µs), else the full ``scan_worksheet``.

    Only ``<sheetData>`` holds cells. With no reference past column Z or row 999, every cell
    with a reference lies in Z999; a cell without one goes to the next row or column, so ``n``
    tags (at most ``count("<")``) reach at most row 999 + n and column 26 + n."""
    data = _utf8(data)
    start = data.find(b"sheetData")
    if start < 0:
        return OK_SCAN
    region = data[start : data.rfind(b"sheetData")]
    if (
        not _FAR.search(region)
        and b'"e"' not in region
        and region.count(b"=") == region.count(b'="')
    ):  # no r = '…' spelled otherwise
        n = region.count(b"<")
        if 999 + n <= limits.max_rows and (999 + n) * (26 + n) <= limits.max_cells:
            return OK_SCAN
    return scan_worksheet(data, limits)


def scan_worksheet(data: bytes, limits: Limits) -> SheetScan:
    """The extent of the cells holding values (what calamine will allocate) and the formula
    error values, from a worksheet part's XML. About 2.5 ms per 10,000 cells."""
    data = _utf8(data)
    if _ODD_CELL.search(data) is None and b":c" not in data:  # every cell as Excel writes it
        rows = max(map(int, _CELL_ROW.findall(data)), default=0)
        if _TWO_LETTERS.search(data) is None:
            cols = 26 if rows else 0  # at most Z: exact columns matter only for a long sheet
            if rows * cols > limits.max_cells:
                cols = max(map(col_number, set(_CELL_LETTERS.findall(data))), default=0)
        else:
            cols = max(map(col_number, set(_CELL_LETTERS.findall(data))), default=0)
    else:
        rows, cols = _walk(data, limits)
    errors: dict[tuple[int, int], str] = {}
    if b"'e'" in data or b'"e"' in data:
        for m in _T_E.finditer(data):
            lt, gt = data.rfind(b"<", 0, m.start()), data.find(b">", m.end())
            if lt < 0 or gt < 0 or data[gt - 1 : gt] == b"/" or not _IS_CELL.match(data, lt):
                continue
            r = _ATTR_R.search(data, lt, gt)
            close = data.find(b"c>", gt)
            v = _V.search(data, gt, close if close > 0 else len(data))
            if r and r.group(1) and v:
                errors[(int(r.group(2)) - 1, col_number(r.group(1)) - 1)] = html.unescape(
                    v.group(1).decode("utf-8", "replace")
                )
    return SheetScan(rows=rows, cols=cols, errors=errors)


def _walk(data: bytes, limits: Limits) -> tuple[int, int]:
    """Cells without references, positioned as a reader does (next row, next column); stops
    as soon as the sheet is over the limits."""
    row = col = rows = cols = 0
    for m in _TAG_WALK.finditer(data):
        tag, attrs = m.groups()
        attrs = attrs or b""
        r = _ATTR_R.search(attrs)
        if tag == b"row":
            row = int(r.group(2)) if r else row + 1
            col = 0
            continue
        if r and r.group(1):
            col, row = col_number(r.group(1)), int(r.group(2))
        else:
            col += 1
        if not attrs.endswith(b"/"):
            rows, cols = max(rows, row), max(cols, col)
            if rows > limits.max_rows or rows * cols > limits.max_cells:
                break
    return rows, cols


def _attrs(tag_text: str) -> dict[str, str]:
    return {k: html.unescape(a if a or not b else b) for k, a, b in _ATTRS.findall(tag_text)}


_RELATIONSHIP = re.compile(rb"Relationship(\s[^>]*)>")
_SHEET_TAG = re.compile(rb"sheet\s([^>]*)>")
_SHEET_ID = re.compile(rb"""\s(?:[\w.-]+:)?id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TARGET = re.compile(rb"""\sTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(rb"""\sId\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _attr(tag: bytes, key: bytes, pattern: re.Pattern[bytes]) -> str:
    """An attribute's value: a byte search for ``␣key="``, the pattern for anything else."""
    i = tag.find(b" " + key + b'="')
    if i >= 0:
        start = i + len(key) + 3
        return _text(tag[start : tag.find(b'"', start)])
    m = pattern.search(tag)
    return _text(m.group(1) or m.group(2)) if m else ""


def _relationship_tags(data: bytes) -> list[bytes]:
    """The attribute text of each ``<Relationship …>`` (byte splitting: 1 µs, not 12)."""
    if b"<Relationship " in data and b":Relationship" not in data:
        return [b" " + chunk[: chunk.find(b">")] for chunk in data.split(b"<Relationship ")[1:]]
    return [m.group(1) for m in _RELATIONSHIP.finditer(data)]


def _rels(zf: _Zip, part: str) -> dict[str, str]:
    """Relationship id → target part name, for ``part`` (``""``: the package)."""
    folder, _, base = part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels_name not in zf.by_name:
        return {}
    data = zf.read(rels_name)
    _check_xml(rels_name, data)
    out = {}
    for tag in _relationship_tags(data):
        if b"External" in tag:
            continue
        target, rid = _attr(tag, b"Target", _TARGET), _attr(tag, b"Id", _ID)
        if not target:
            continue
        if target.startswith("/"):
            name = target.lstrip("/")
        else:
            parts: list[str] = []
            for seg in f"{folder}/{target}".split("/"):
                if seg == "..":
                    if parts:
                        parts.pop()
                elif seg not in ("", "."):
                    parts.append(seg)
            name = "/".join(parts)
        out[rid] = name
    return out


def _scan_xlsx(zf: _Zip, pre: Preflight) -> None:
    limits = zf.limits
    done: set[str] = set()
    workbook = "xl/workbook.xml"
    if workbook not in zf.by_name:
        workbook = next(
            (
                t
                for t in _rels(zf, "").values()
                if t in zf.by_name and t.lower().endswith("workbook.xml")
            ),
            "",
        )
        done.add("_rels/.rels")
    if not workbook:
        return  # calamine will say it cannot read the file
    wb_xml = zf.read(workbook)
    _check_xml(workbook, wb_xml)
    done.add(workbook)
    rels = _rels(zf, workbook)
    folder, _, base = workbook.rpartition("/")
    done.add(f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels")
    # Whatever calamine can load as a sheet is scanned: the parts the workbook's sheets point
    # at and every part under xl/worksheets/ (whatever its extension).
    sheet_tags = [m.group(1) for m in _SHEET_TAG.finditer(wb_xml)]
    sheet_parts = []
    for tag in sheet_tags:
        i = tag.find(b':id="')
        if i >= 0:
            rid = _text(tag[i + 5 : tag.find(b'"', i + 5)])
        else:
            rid = _attr(b" " + tag, b"id", _SHEET_ID)
        sheet_parts.append(rels.get(rid, ""))
    if all(t in zf.by_name and t.lower().startswith("xl/worksheets/") for t in sheet_parts):
        targets = sheet_parts + [n for n in zf.by_name if n.lower().startswith("xl/worksheets/")]
    else:  # sheets kept elsewhere: a reader may resolve them otherwise, so scan every part
        targets = [i.filename for i in zf.infos if not i.is_dir()]
    suspect: dict[str, SheetScan] = {}
    for part in targets:
        if part in done:
            continue
        data = zf.read(part)
        if _prolog_state(data[:4096]) == "dtd":
            raise _unsafe_dtd(part)
        done.add(part)
        scan = quick_worksheet(data, limits)
        if scan is not OK_SCAN:
            _check_xml(part, data)
            suspect[part] = scan
    pre.worst = OK_SCAN
    if suspect:
        for tag, part in zip(sheet_tags, sheet_parts, strict=True):
            name = _attrs(tag.decode("utf-8", "replace")).get("name", "")
            pre.sheets[name] = suspect.get(part, OK_SCAN)
        pre.worst = max(suspect.values(), key=lambda x: (x.cells, x.rows))
    if "docProps/custom.xml" in zf.by_name:
        data = zf.read("docProps/custom.xml")
        _check_xml("docProps/custom.xml", data)
        done.add("docProps/custom.xml")
        pre.custom_xml = data
    _prolog_scan_rest(zf, done)


# Parts no reader opens (verified: calamine parses none of them, and flowscore reads only
# docProps/custom.xml): a declaration there is never parsed, and skipping them saves ~20 µs a file.
_UNREAD_PARTS = frozenset({"[content_types].xml", "docprops/app.xml", "docprops/core.xml"})


def _prolog_scan_rest(zf: _Zip, done: set[str]) -> None:
    """The prolog of every other XML part a reader may parse."""
    for info in zf.infos:
        low = info.filename.lower()
        if low in _UNREAD_PARTS or low.startswith("xl/theme/"):
            continue
        if info.filename not in done and low.endswith((".xml", ".rels", ".vml")):
            zf.xml_prolog_ok(info.filename)


# ----------------------------------------------------------------------------------------------
# ODF


_ODS_TAG = re.compile(
    rb"<(/?)" + _NS + rb"(table|table-row|table-cell|covered-table-cell)([\s/][^>]*)?>"
)
_REPEAT = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"']([0-9]+)[\"']")
_VALUE_TYPE = re.compile(rb"value-type\s*=")
_TABLE_NAME = re.compile(rb"(?<![\w.-])(?:[\w.-]+:)?name\s*=\s*[\"']([^\"']*)[\"']")


def scan_ods(data: bytes, limits: Limits) -> dict[str, SheetScan]:
    """Each table's extent as a reader expands it: repeated rows and columns count once per
    repeat, but only up to the last cell that holds something."""
    data = _utf8(data)
    out: dict[str, SheetScan] = {}
    name = ""
    row = rows = cols = 0
    col = 0
    row_rep = 1
    row_width = 0
    for m in _ODS_TAG.finditer(data):
        closing, tag, attrs = m.groups()
        attrs = attrs or b""
        empty = attrs.endswith(b"/")
        if tag == b"table":
            if closing:
                out[name] = SheetScan(rows=rows, cols=cols)
            elif not empty:
                t = _TABLE_NAME.search(attrs)
                name = html.unescape(t.group(1).decode("utf-8", "replace")) if t else ""
                row = rows = cols = 0
            continue
        rep_m = _REPEAT.search(attrs)
        rep = int(rep_m.group(1)) if rep_m else 1
        if tag == b"table-row":
            if closing:
                if row_width:
                    rows = row + row_rep
                    cols = max(cols, row_width)
                row += row_rep
            else:
                row_rep, col, row_width = rep, 0, 0
                if empty:
                    row += rep
            if rows > limits.max_rows or rows * cols > limits.max_cells:
                out[name] = SheetScan(rows=rows, cols=cols)
                return out
            continue
        if closing:
            continue
        holds = not empty or bool(_VALUE_TYPE.search(attrs))
        col += rep
        if holds:
            row_width = col
    return out


def _scan_ods(zf: _Zip, pre: Preflight) -> None:
    done = set()
    if "content.xml" in zf.by_name:
        data = zf.read("content.xml")
        _check_xml("content.xml", data)
        done.add("content.xml")
        pre.sheets = scan_ods(data, zf.limits)
        for name, s in pre.sheets.items():  # calamine reads every table on opening an .ods
            if why := too_big(s.rows, s.cols, zf.limits):
                raise _refuse(
                    "sheet-too-large", f"工作表{why}，整个文件未读取", HINT_TOO_BIG, sheet=name
                )
        pre.worst = OK_SCAN
    _prolog_scan_rest(zf, done)


def too_big(rows: int, cols: int, limits: Limits) -> str:
    """Why a sheet of ``rows`` × ``cols`` (from A1) is over the limits; empty when it is not."""
    if rows > limits.max_rows:
        return f"有 {rows:,} 行，超过上限 {limits.max_rows:,} 行"
    if rows * cols > limits.max_cells:
        return (
            f"从 A1 到最后一个有内容的单元格共 {rows:,} 行 × {cols:,} 列，"
            f"超过上限 {limits.max_cells:,} 个单元格"
        )
    return ""


HINT_TOO_BIG = (
    "通常是远处的单元格误填了内容：按 Ctrl+End 找到最后一个单元格，删去多余的行列后保存；"
    "确有这么多行时用 --max-rows 调高上限"
)


# ----------------------------------------------------------------------------------------------
# Entry point


def preflight(data: bytes, suffix: str, limits: Limits = DEFAULT_LIMITS) -> Preflight:
    """What ``data`` (a whole file, named with ``suffix``) is and whether to open it."""
    pre = Preflight()
    try:
        _preflight(data, suffix.lower(), limits, pre)
    except _Refused as r:
        pre.refusal = r.refusal
    return pre


def _preflight(data: bytes, suffix: str, limits: Limits, pre: Preflight) -> None:
    what = sniff(data[:512])
    if what == "empty":
        raise _refuse(
            "file-empty", "文件是空的（0 字节）", "可能是复制或下载没有完成，请重新获取这份文件"
        )
    if what == "zip":
        zf = _Zip(data, limits)
        zf.check_declared()
        if zf.needs_bounded_inflation():
            zf.bounded_inflation()
        names = zf.by_name
        if "mimetype" in names:
            mime = zf.read("mimetype", head=100)
            if b"opendocument.spreadsheet" in mime:
                pre.kind = "ods"
            else:
                raise _not_spreadsheet("OpenDocument 文档（不是表格）", suffix)
        elif any(n.lower() == "xl/workbook.bin" for n in names):
            raise _refuse(
                "unsupported-format",
                "这是 Excel 二进制工作簿（.xlsb），flowscore 不读取这种格式",
                "在 Excel 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
            )
        elif any(n.lower().startswith("xl/") for n in names) or (
            "[Content_Types].xml" in names
            and not any(n.startswith(("word/", "ppt/")) for n in names)
        ):
            pre.kind = "xlsx"
        elif any(n.startswith("word/") for n in names):
            raise _not_spreadsheet("Word 文档", suffix)
        elif any(n.startswith("ppt/") for n in names):
            raise _not_spreadsheet("PowerPoint 演示文稿", suffix)
        elif any(n.lower().startswith("index/") and n.lower().endswith(".iwa") for n in names):
            raise _refuse(
                "unsupported-format",
                "这是苹果 Numbers 表格，flowscore 不读取这种格式",
                "在 Numbers 中导出为 Excel（.xlsx）后重新提交",
            )
        else:
            raise _not_spreadsheet("普通压缩包", suffix)
        if pre.kind == "xlsx":
            _scan_xlsx(zf, pre)
        else:
            _scan_ods(zf, pre)
    elif what == "cfb":
        streams = {s.lower() for s in cfb_streams(data)}
        if "encryptioninfo" in streams or "encryptedpackage" in streams:
            raise _refuse("file-encrypted", "工作簿设有打开密码，无法读取", _HINT_PASSWORD)
        if "workbook" in streams or "book" in streams or not streams:
            pre.kind = "xls"
            # calamine reads every sheet of an .xls on opening, each as a dense grid: a 5 KB file
            # whose sheets span A1:IV65536 asks for 0.5 GB a sheet. Bound them first.
            stream = cfb_stream(data, {"workbook", "book"})
            if stream is None:
                raise _refuse(
                    "file-unreadable", "文件已损坏，无法作为 .xls 工作簿读取", _HINT_RESAVE
                )
            pre.sheets = scan_biff(stream, limits)
            for name, scan in pre.sheets.items():
                if why := too_big(scan.rows, scan.cols, limits):
                    raise _refuse(
                        "sheet-too-large", f"工作表{why}，整个文件未读取", HINT_TOO_BIG, sheet=name
                    )
            pre.worst = OK_SCAN
        elif "worddocument" in streams:
            raise _not_spreadsheet("Word 97-2003 文档（.doc）", suffix)
        else:
            raise _not_spreadsheet("Office 文件，但不是 Excel 工作簿", suffix)
    elif what == "markup":
        head = data[:4096].lower()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"<workbook" in head:
            raise _refuse(
                "unsupported-format",
                "这是 Excel 2003 XML 表格（内容是 XML，只是扩展名为电子表格），flowscore 不读取这种格式",
                "在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
            )
        if b"<html" in head or b"<table" in head or b"<!doctype html" in head:
            raise _refuse(
                "unsupported-format",
                "这是网页（HTML）格式的表格，常见于从业务系统“导出 Excel”，只是扩展名为电子表格",
                "在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）后重新提交",
            )
        raise _not_spreadsheet("XML 或网页文件", suffix)
    else:
        raise _not_spreadsheet(what, suffix)
    expected = _SUFFIX_KIND.get(suffix)
    if expected and expected != pre.kind:
        pre.notes.append(
            Refusal(
                "format-mismatch",
                f"文件扩展名是 {suffix}，内容实际是 {_KIND_NAMES[pre.kind]} 格式，已按实际格式读取",
                f"建议把文件另存为 .xlsx，或把扩展名改为 {_KIND_NAMES[pre.kind]}",
            )
        )


def _not_spreadsheet(what: str, suffix: str) -> _Refused:
    return _refuse(
        "file-not-spreadsheet",
        f"文件扩展名是 {suffix or '（无）'}，但内容不是电子表格（是{what}）",
        "可能改错了扩展名或提交错了文件；请提交用 Excel/WPS 保存的 .xlsx 评分表",
    )


# ----------------------------------------------------------------------------------------------
# Showing a cell's text in a message


_QUOTED = re.compile(r"“([^”]*)”")


def clip(text: str, limit: int) -> str:
    """Long text shortened for a message: the start, an ellipsis and the length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 字）"


def clip_quoted(message: str, limit: int) -> str:
    """Every “quoted” cell text in a message, clipped to ``limit`` characters."""
    if len(message) <= limit + 40:
        return message
    return _QUOTED.sub(lambda m: f"“{clip(m.group(1), limit)}”", message)
