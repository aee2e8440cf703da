"""What a file really is, from its first bytes (never from its extension)."""

from __future__ import annotations

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
