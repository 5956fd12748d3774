"""jsontext: the JSON of request bodies and answers (orjson, with the stdlib behind it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb_emulator import jsontext


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [1, 2.5, None, True], "ü": "grüß"},
    {1: "int keys", 2.5: "float keys"},     # written as json.dumps writes them: strings
    2**70,                                  # beyond orjson: the stdlib writes it
    [{"deep": {"er": []}}],
])
def test_encode_writes_what_json_dumps_writes_compactly(value: Any) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert jsontext.encode(value) == expected


def test_encode_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        jsontext.encode({"s": {1, 2}})


def test_size_counts_utf8_bytes_and_str_of_the_rest() -> None:
    assert jsontext.size({"ü": "ß"}) == len('{"ü":"ß"}'.encode())
    assert jsontext.size({"s": {1}}) == len('{"s":"{1}"}')
    assert jsontext.size([2**70]) == len(str(2**70)) + 2


@pytest.mark.parametrize(("text", "expected"), [
    (b'{"a": [1, 2.5, null]}', {"a": [1, 2.5, None]}),
    ("123456789012345678901234567890", 1.2345678901234568e29),  # as JSON.parse reads it
])
def test_decode_reads_as_json_parse_does(text: bytes | str, expected: Any) -> None:
    assert jsontext.decode(text) == expected


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", "1e400", "{nope", b"\xff"])
def test_decode_refuses_what_json_parse_refuses(text: str | bytes) -> None:
    with pytest.raises(ValueError):
        jsontext.decode(text)
