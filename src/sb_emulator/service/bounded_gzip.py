"""Gzip decompression that stops at a size limit instead of trusting the compressed size.

A megabyte of gzip can inflate to gigabytes (a "gzip bomb"): ``gzip.decompress`` would build
the whole output before anyone can compare it with a limit. Here the stream is inflated in
chunks with ``zlib.decompressobj(...).decompress(data, max_length)``, and the first byte past
``limit`` ends it, so memory stays within ``limit`` plus one chunk whatever the input.
"""

from __future__ import annotations

import zlib

from sb_emulator.errors import BadRequest

# 16 + MAX_WBITS: a gzip header and trailer (not zlib's, not raw deflate)
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_CHUNK = 64 * 1024


class InflatedTooLarge(BadRequest):
    default_code = "code-too-large"


class NotGzip(BadRequest):
    default_code = "invalid-code"


def gunzip_bounded(data: bytes, limit: int, *, what: str = "the uploaded code") -> bytes:
    """``data`` decompressed (one or more concatenated gzip members, as ``gzip.decompress``
    reads them); 400 ``code-too-large`` as soon as the output would pass ``limit`` bytes,
    400 ``invalid-code`` when ``data`` is not complete, valid gzip."""
    out = bytearray()
    remaining = memoryview(data)
    while True:
        inflater = zlib.decompressobj(_GZIP_WBITS)
        pending = bytes(remaining)
        try:
            while pending and not inflater.eof:
                # at most one byte over the limit: enough to know it was passed
                chunk = inflater.decompress(pending, min(_CHUNK, limit + 1 - len(out)))
                out += chunk
                if len(out) > limit:
                    raise InflatedTooLarge(
                        f"{what} is over {limit} bytes once unzipped; the limit is {limit}")
                pending = inflater.unconsumed_tail
        except zlib.error as err:
            raise NotGzip(f"{what} is not valid gzip: {err}") from err
        if not inflater.eof:
            raise NotGzip(f"{what} is not valid gzip: the stream ends before its last block")
        remaining = memoryview(inflater.unused_data)
        # gzip.decompress reads concatenated members and ignores trailing zero padding
        if not bytes(remaining).strip(b"\x00"):
            return bytes(out)
