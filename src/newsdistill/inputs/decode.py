"""Turn raw bytes into text: gzip, BOMs, declared and detected encodings, binary sniffing."""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Literal

from charset_normalizer import from_bytes

from ..errors import SkipInput
from ..limits import DEFAULT_LIMITS, Limits
from ..model import RawDocument

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_HTML_SIGNS = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|span|a|br|meta|title)[\s/>]", re.I
)
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"RIFF",
    b"OggS",
    b"\x00\x00\x00\x18ftyp",
    b"\x00\x00\x00\x20ftyp",
    b"BZh",
    b"\xfd7zXZ",
    b"7z\xbc\xaf",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Codecs Python has that no web page can truly be in: a page whose bytes matched the ASCII <meta> pattern
# is not UTF-16/32 (nor UTF-8, when it failed to decode as such); the escape codecs would turn backslashes
# into characters (and lone surrogates), utf-7 is refused by browsers, and the rest are not charsets.
_NOT_PAGE_CHARSETS = {
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "utf-7",
    "unicode-escape",
    "raw-unicode-escape",
    "idna",
    "punycode",
    "undefined",
    "charmap",
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Decompress gzip without ever holding more than `limit` bytes (bomb-safe)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SkipInput(f"corrupt gzip data: {exc}") from exc
    if len(out) > limit or decompressor.unconsumed_tail:
        raise SkipInput(f"gzip expands beyond the {limit // (1024 * 1024)} MB limit (decompression bomb?)")
    if not decompressor.eof:
        raise SkipInput("truncated gzip data")
    return out


def replace_surrogates(text: str) -> str:
    """Lone surrogates (JSON allows "\\ud800") cannot be written as UTF-8: each becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def looks_binary(data: bytes) -> bool:
    """By magic numbers and the share of NULs and control bytes: a stray NUL in a page is not binary."""
    sample = data[:4096]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if sample.startswith(_BINARY_MAGIC):
        return True
    if sample.count(0) > 0.1 * len(sample):
        # UTF-16 without a BOM has a NUL in every other byte; binaries have them anywhere.
        return _utf16_without_bom(data) is None
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > 0.05 * len(sample)


def _utf16_without_bom(data: bytes) -> str | None:
    """ASCII-range UTF-16 has NULs in one byte of each pair and none in the other."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / max(1, len(even)), odd.count(0) / max(1, len(odd))
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if (utf16 := _utf16_without_bom(data)) is not None:
        return utf16
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return declared_encoding(data) or guess_encoding(data)


def declared_encoding(data: bytes) -> str | None:
    """The <meta> charset when it names a text encoding a page can be in (Latin-1 and ASCII read as
    cp1252, as browsers do), else None: 'rot13', 'base64' or a made-up name fall back to detection."""
    declared = _META_CHARSET.search(data[:8192])
    if not declared:
        return None
    try:
        info = codecs.lookup(declared.group(1).decode("ascii", "ignore").lower())
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CHARSETS:
        return None
    return "cp1252" if info.name in {"iso8859-1", "ascii"} else info.name


def guess_encoding(data: bytes) -> str:
    best = from_bytes(data[:200_000]).best()
    return best.encoding if best is not None else "cp1252"


_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€[\u0080-\u00bf\u2018-\u201e\u2122]|Â[\u00a0-\u00bf]")


def fix_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Latin-1 somewhere upstream ('CafÃ©', 'â€™'): ftfy mends it."""
    if not _MOJIBAKE.search(text[:200_000]):
        return text
    import ftfy

    return ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False, normalization=None)


def decode_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    if data[:2] == b"\x1f\x8b":
        data = gunzip_bounded(data, limits.max_decompressed_bytes)
    if len(data) > limits.max_input_bytes:
        size, limit = len(data) // (1024 * 1024), limits.max_input_bytes // (1024 * 1024)
        raise SkipInput(f"input is {size} MB, over the {limit} MB limit")
    if not data.strip():
        raise SkipInput("empty input")
    if looks_binary(data):
        raise SkipInput("binary data, not a text or HTML page")
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding, errors="replace")
    except (LookupError, UnicodeError, ValueError, TypeError):  # a codec that cannot 'replace' (or decode)
        encoding = guess_encoding(data)
        text = data.decode(encoding, errors="replace")
    text = fix_mojibake(replace_surrogates(text))
    if encoding.startswith("utf-8") and data.startswith(codecs.BOM_UTF8):
        text = text.lstrip("\ufeff")
    return text.lstrip("\ufeff")


def sniff_kind(text: str) -> Literal["html", "text"]:
    head = text[:5000]
    signs = _HTML_SIGNS.findall(head)
    if head.lstrip().startswith("<") and signs:
        return "html"
    return "html" if len(signs) >= 3 else "text"


def decode(doc: RawDocument, limits: Limits = DEFAULT_LIMITS) -> tuple[str, Literal["html", "text"]]:
    """Decode a raw document to text and decide whether it is HTML or plain text."""
    text = decode_bytes(doc.data, limits) if isinstance(doc.data, bytes) else replace_surrogates(doc.data)
    if not text.strip():
        raise SkipInput("empty input")
    if len(text) > limits.max_text_chars:
        raise SkipInput(f"page has {len(text):,} characters, over the {limits.max_text_chars:,} limit")
    kind = sniff_kind(text) if doc.input_kind == "auto" else doc.input_kind
    return text, kind
