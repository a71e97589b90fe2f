"""Input detection and decoding, including the bad inputs the issue lists."""

from __future__ import annotations

import gzip

import pytest

from newsdistill.errors import SkipInput
from newsdistill.inputs.decode import RawDocument, decode, decode_bytes, gunzip_bounded, sniff_kind
from newsdistill.limits import Limits

TEXT = "Prices rose again in March, the statistics office said on Tuesday, as energy costs climbed."


def test_utf8_and_bom() -> None:
    assert decode_bytes(("\ufeff" + TEXT).encode("utf-8")) == TEXT


def test_utf16_with_and_without_bom() -> None:
    assert decode_bytes(TEXT.encode("utf-16")) == TEXT
    assert decode_bytes(TEXT.encode("utf-16-le")) == TEXT


def test_declared_charset_is_used_for_non_utf8_bytes() -> None:
    html = f'<html><head><meta charset="windows-1252"></head><body><p>Café crème — {TEXT}</p></body></html>'
    assert "Café crème —" in decode_bytes(html.encode("cp1252"))


def test_undecodable_bytes_never_crash() -> None:
    data = b"<p>" + bytes(range(128, 256)) * 3 + TEXT.encode() + b"</p>"
    assert TEXT in decode_bytes(data)


def test_gzip_is_detected_and_decompressed() -> None:
    assert decode_bytes(gzip.compress(TEXT.encode())) == TEXT


def test_truncated_gzip_is_a_clear_error() -> None:
    data = gzip.compress((TEXT * 200).encode())
    with pytest.raises(SkipInput, match="truncated gzip"):
        decode_bytes(data[: len(data) // 2])


def test_gzip_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    with pytest.raises(SkipInput, match="decompression bomb"):
        gunzip_bounded(bomb, limit=1024 * 1024)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (bytes(range(0, 256)) * 16, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 300, "binary"),
    ],
)
def test_bad_inputs_are_skipped_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(SkipInput, match=reason):
        decode(RawDocument(id="x", data=data))


def test_huge_input_is_skipped() -> None:
    with pytest.raises(SkipInput, match="limit"):
        decode(RawDocument(id="x", data=TEXT * 1000), Limits(max_text_chars=10_000))


def test_kind_sniffing() -> None:
    assert sniff_kind("<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert sniff_kind(TEXT + "\n\n" + TEXT) == "text"
    assert sniff_kind("Use <b> for bold in " + TEXT) == "text"


def test_latin1_declared_as_utf8_still_decodes() -> None:
    html = (
        f'<html><head><meta charset="utf-8"></head><body><p>Café crème à la carte. {TEXT}</p></body></html>'
    )
    assert "Café crème à la carte" in decode_bytes(html.encode("latin-1"))


def test_mojibake_is_mended() -> None:
    broken = "The cafÃ© owner said it was â€œunbelievableâ€\x9d and didnâ€™t stop."
    assert (
        decode_bytes(broken.encode("utf-8")) == "The café owner said it was “unbelievable” and didn’t stop."
    )


def _declaring(charset: str) -> bytes:
    page = f'<html><head><meta charset="{charset}"></head><body><p>Café crème — {TEXT}</p></body></html>'
    return page.encode("cp1252")  # not UTF-8, so the declared charset is consulted


@pytest.mark.parametrize(
    "charset",
    [
        "rot13",
        "rot_13",
        "base64",
        "hex",
        "zlib",
        "bz2",
        "uu",
        "quopri",
        "idna",
        "punycode",
        "unicode_escape",
        "raw_unicode_escape",
        "mbcs",
        "nosuchcodec",
        "utf-8-sig",
        "utf_16",
        "utf-32",
        "undefined",
    ],
)
def test_a_declared_charset_that_is_not_a_text_encoding_falls_back_to_detection(charset: str) -> None:
    text = decode_bytes(_declaring(charset))
    assert TEXT in text and "\ud800" not in text
    text.encode("utf-8")


def test_every_codec_name_python_knows_as_a_declared_charset_decodes_or_skips() -> None:
    import encodings.aliases

    names = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
    for name in names:
        try:
            text, _ = decode(RawDocument(id=name, data=_declaring(name)))
        except SkipInput:
            continue
        text.encode("utf-8")  # any text that came out can be written as UTF-8


def test_one_nul_byte_does_not_make_a_page_binary() -> None:
    assert decode_bytes(TEXT.encode() + b"\x00" + TEXT.encode()).startswith(TEXT)


def test_a_lone_surrogate_in_str_input_is_replaced() -> None:
    text, _ = decode(RawDocument(id="x", data=f"{TEXT} \ud800 {TEXT}"))
    assert text == f"{TEXT} \ufffd {TEXT}"
