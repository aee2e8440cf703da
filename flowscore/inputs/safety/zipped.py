"""Zip containers (.xlsx, .ods, .docx) held in memory: the central directory read directly,
declared sizes checked before anything is inflated, and inflation bounded by them.

Declared sizes can lie, but deflate cannot expand more than ~1032:1, so a file whose compressed
parts × 1032 fit in the limit cannot inflate past it; only larger files get a streamed
inflation bounded by the declared sizes.

``PartMemo``: a check that passed on a part is not repeated, in the same process, on a part
that is the same to it — the same exact compressed bytes, compression method and declared size
(everything ``Zip.read`` and the check consume) and name. Workbooks made from one template share
most of their parts byte for byte (relationships, workbook.xml, styles, comments)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from typing import Generic, NamedTuple, TypeVar

from flowscore.inputs.safety.limits import DEFLATE_MAX_RATIO, MB, Limits
from flowscore.inputs.safety.outcome import refuse
from flowscore.inputs.safety.xml import prolog_state, unsafe_dtd


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


class Zip:
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
            raise refuse("file-unreadable", "zip") from exc
        self.by_name = {i.filename: i for i in self.infos}
        # Readers look parts up ignoring case (calamine lowercases names and reads ``\\`` as
        # ``/``); two members that collide so — or share a name outright — would let a check
        # read one part and the reader another. Normal files never have them.
        self.by_norm: dict[str, Member] = {}
        for i in self.infos:
            key = i.filename.replace("\\", "/").lower()
            if key in self.by_norm:
                raise refuse("file-unsafe", "duplicate-part", part=i.filename)
            self.by_norm[key] = i

    def check_declared(self) -> None:
        lim = self.limits
        if len(self.infos) > lim.max_members:
            raise refuse("file-unsafe", "parts", count=len(self.infos))
        total = 0
        for i in self.infos:
            if i.flag_bits & 0x1:
                raise refuse("file-encrypted", "zip")
            ratio_over = i.file_size > lim.max_ratio * max(1, i.compress_size)
            if i.file_size > lim.ratio_grace and ratio_over:
                raise refuse(
                    "file-unsafe",
                    "ratio",
                    part=i.filename,
                    packed=size_text(i.compress_size),
                    size=size_text(i.file_size),
                )
            total += i.file_size
        if total > lim.max_size:
            raise refuse(
                "file-too-large",
                "inflated",
                size=size_text(total),
                limit=lim.size_label,
                suggest=int(total / MB) + 1,
            )

    def needs_bounded_inflation(self) -> bool:
        """True when the parts could inflate past the limit whatever their declared sizes say."""
        return sum(i.compress_size for i in self.infos) * DEFLATE_MAX_RATIO > self.limits.max_size

    def _raw(self, info: Member) -> memoryview:
        off = info.header_offset
        d = self.data
        if d[off : off + 4] != b"PK\x03\x04":
            raise refuse("file-unreadable", "part-place", part=info.filename)
        n, m = struct.unpack_from("<HH", d, off + 26)
        start = off + 30 + n + m
        if start + info.compress_size > len(d):
            raise refuse("file-unreadable", "part-short", part=info.filename)
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
                raise refuse("file-unreadable", "part-inflate", part=info.filename) from exc
        else:
            raise refuse("file-unreadable", "part-method", part=info.filename)
        if len(out) > limit:
            if head is not None and limit < info.file_size:
                return out[:limit]
            raise refuse("file-unsafe", "overflow", part=info.filename)
        return out

    def part_key(self, name: str) -> PartKey | None:
        """Everything ``read`` consumes of a member (and its name), as a memo's key; None for a
        part too large to be kept (``PartMemo.MAX_PART``). Refuses as ``read`` does a member
        whose data is not where its entry says."""
        info = self.by_name[name]
        if info.compress_size > PartMemo.MAX_PART:
            return None
        return (name, info.compress_type, info.file_size, bytes(self._raw(info)))

    def xml_prolog_ok(self, name: str) -> None:
        """Refuse a part whose prolog declares a DTD, inflating only as far as the root tag."""
        key = self.part_key(name)
        if key is not None and _PROLOGS_OK.get(key) is not None:
            return  # this very part passed before
        self._xml_prolog_ok(name)
        if key is not None:
            _PROLOGS_OK.put(key, True)

    def _xml_prolog_ok(self, name: str) -> None:
        info = self.by_name[name]
        size = 512
        while True:
            buf = self.read(name, head=size)
            state = prolog_state(buf)
            if state == "dtd":
                raise unsafe_dtd(name)
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
            piece: bytes | memoryview
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
                    raise refuse("file-unreadable", "part-stream", part=info.filename) from exc
                got += out
                if got > info.file_size or total + got > self.limits.max_size:
                    raise refuse(
                        "file-unsafe", "bounded", part=info.filename, limit=self.limits.size_label
                    )
                if not out and not piece:
                    break  # a truncated stream: the reader will say it is damaged
            total += got


PartKey = tuple[str, int, int, bytes]  # name, compression method, declared size, raw bytes
V = TypeVar("V")


class PartMemo(Generic[V]):
    """What a check made of a part, by ``Zip.part_key`` and the check's own argument: only what
    a passed check found (a refusal is found again every time). A key holds the raw bytes
    themselves, so a hit is the very same part, never a likeness. Bounded in entries and bytes:
    emptied when full, so a batch of ever-new parts costs a bounded memory and what recurs is
    kept again."""

    MAX_PART = 64 * 1024  # compressed bytes of a part kept (template parts: under 2 KB)
    MAX_ENTRIES = 512
    MAX_BYTES = 4 * MB
    MAX_ENTRY = 256 * 1024  # bytes of one entry, its value's included: a larger one is not kept

    def __init__(self) -> None:
        self._found: dict[tuple[str, PartKey], V] = {}
        self._bytes = 0

    def get(self, key: PartKey, arg: str = "") -> V | None:
        return self._found.get((arg, key))

    def put(self, key: PartKey, value: V, arg: str = "", *, weight: int = 0) -> None:
        """Keep ``value``; ``weight``: about how many bytes it holds (what a small part inflates
        to may be large: a value too heavy is not kept)."""
        size = len(key[3]) + len(key[0]) + len(arg) + 200 + weight  # 200: the entry's overhead
        if size > self.MAX_ENTRY or size > self.MAX_BYTES:
            return
        if len(self._found) >= self.MAX_ENTRIES or self._bytes + size > self.MAX_BYTES:
            self.clear()
        self._found[(arg, key)] = value
        self._bytes += size

    def clear(self) -> None:
        self._found.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._found)

    @property
    def size(self) -> int:
        """Bytes the entries hold (an upper bound)."""
        return self._bytes


_PROLOGS_OK: PartMemo[bool] = PartMemo()  # parts whose prolog declares no DTD


def size_text(n: int) -> str:
    if n >= MB:
        return f"{n / MB:,.0f} MB"
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} 字节"
