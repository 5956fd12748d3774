"""Hostile bodies on the upload endpoint and compressed request bodies (issue 16, #1 and #6).

Each case ends in a 400 in the API's error shape, with the server answering normally after.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import BadRequest
from sb_emulator.service.bounded_gzip import gunzip_bounded
from sb_emulator.service.catalog import MAX_UNZIPPED
from sb_emulator.web import create_app
from tests.security.helpers import Api, admin_headers, assert_responsive, security_config

TOGGLER = b"""
name: probe
version: "2"
machine:
  id: probe
  initial: idle
  states:
    idle: {}
allowRead: "true"
allowWrite: "true"
"""


@pytest.fixture
def config() -> EmulatorConfig:
    return security_config()


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


async def _upload_url(api: Api, config: EmulatorConfig, *, gzipped: bool = False) -> str:
    res = await api.post("/machines/probe/v" + ("?gzip" if gzipped else ""),
                         headers=admin_headers(config))
    assert res.status == 200, await res.text()
    url: str = (await res.json())["codeUploadUrl"]
    return "/_emulator/uploads/" + url.rsplit("/", 1)[1]


def _form(code: bytes, *, gzipped: bool) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("key", "probe/x")
    if gzipped:
        form.add_field("content-encoding", "gzip")
    # a BytesIO: aiohttp warns (an error under filterwarnings) about large raw bytes
    form.add_field("file", io.BytesIO(code), filename="probe.js",
                   content_type="application/javascript")
    return form


def _gzip_bomb(inflated_mb: int) -> bytes:
    """``inflated_mb`` MB of zeros as gzip (about a thousandth of that), made in chunks."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(2**20)
    parts = [deflater.compress(zeros) for _ in range(inflated_mb)]
    return b"".join(parts) + deflater.flush()


async def _error(res: aiohttp.ClientResponse) -> dict[str, Any]:
    body: dict[str, Any] = await res.json()
    assert set(body) >= {"error", "code"}, body
    return body


@pytest.mark.bound(seconds=20, megabytes=200)
async def test_a_gzip_bomb_stops_at_the_unzipped_limit(api: Api, config: EmulatorConfig) -> None:
    bomb = _gzip_bomb(900)  # 900 MiB of zeros in some 920 kB of gzip
    assert len(bomb) < 1_000_000  # under the gzipped limit: only the inflated size is wrong
    url = await _upload_url(api, config, gzipped=True)
    res = await api.post(url, data=_form(bomb, gzipped=True))
    assert res.status == 400
    body = await _error(res)
    assert body["code"] == "code-too-large"
    assert str(MAX_UNZIPPED) in body["error"]
    await assert_responsive(api, config)


async def test_gzip_within_the_limits_is_still_accepted(api: Api, config: EmulatorConfig) -> None:
    url = await _upload_url(api, config, gzipped=True)
    res = await api.post(url, data=_form(gzip.compress(TOGGLER), gzipped=True))
    assert res.status == 204, await res.text()


async def test_a_plain_file_over_the_limit_is_refused(api: Api, config: EmulatorConfig) -> None:
    url = await _upload_url(api, config)
    res = await api.post(url, data=_form(b"#" * (MAX_UNZIPPED + 1), gzipped=False))
    assert res.status == 400
    assert (await _error(res))["code"] == "code-too-large"
    await assert_responsive(api, config)


async def test_gzip_content_encoding_over_a_plain_body_is_a_400(
        api: Api, config: EmulatorConfig) -> None:
    headers = {**admin_headers(config), "content-encoding": "gzip"}
    res = await api.post("/machines", data=b'{"slug": "plain"}', headers=headers)
    assert res.status == 400
    # State Backed allows only invalid-parameter on this 400; the finer code is the reason
    body = await _error(res)
    assert (body["code"], body["parameter"], body["reason"]) == (
        "invalid-parameter", "body", "invalid-body")
    await assert_responsive(api, config)
    listed = await (await api.get("/machines", headers=admin_headers(config))).json()
    assert "plain" not in [m["slug"] for m in listed["machines"]]


async def test_gzip_content_encoding_over_a_plain_upload_is_a_400(
        api: Api, config: EmulatorConfig) -> None:
    url = await _upload_url(api, config)
    headers = {"content-type": "multipart/form-data; boundary=zzz", "content-encoding": "gzip"}
    res = await api.post(url, data=b"--zzz\r\nnot gzip at all", headers=headers)
    assert res.status == 400
    assert (await _error(res))["code"] == "invalid-body"
    await assert_responsive(api, config)


@pytest.mark.parametrize(("headers", "body"), [
    ({}, b"junk"),
    ({"content-type": "application/json"}, b"{}"),
    ({"content-type": "text/plain"}, b"file=x"),
    ({"content-type": "multipart/form-data"}, b"--x\r\n"),
    ({"content-type": "multipart/form-data; boundary=zzz"}, b"--yyy\r\nstuff\r\n--yyy--\r\n"),
    ({"content-type": "multipart/form-data; boundary=zzz"}, b""),
], ids=["no-content-type", "json", "text", "no-boundary", "wrong-boundary", "empty"])
async def test_junk_upload_bodies_are_a_400(api: Api, config: EmulatorConfig,
                                            headers: dict[str, str], body: bytes) -> None:
    url = await _upload_url(api, config)
    res = await api.post(url, data=body, headers=headers, skip_auto_headers=["Content-Type"])
    assert res.status == 400, await res.text()
    assert (await _error(res))["code"] in ("invalid-upload", "invalid-parameter")
    await assert_responsive(api, config)
    # the reserved upload is still there: a good upload afterwards goes through
    good = await api.post(url, data=_form(TOGGLER, gzipped=False))
    assert good.status == 204, await good.text()


def test_bounded_gunzip_reads_concatenated_members() -> None:
    assert gunzip_bounded(gzip.compress(b"ab") + gzip.compress(b"cd"), 10) == b"abcd"


def test_bounded_gunzip_allows_exactly_the_limit() -> None:
    assert gunzip_bounded(gzip.compress(b"x" * 10), 10) == b"x" * 10
    with pytest.raises(BadRequest, match="limit is 9"):
        gunzip_bounded(gzip.compress(b"x" * 10), 9)


@pytest.mark.parametrize("data", [b"", b"not gzip", gzip.compress(b"abc")[:-6],
                                  gzip.compress(b"abc") + b"trailing"],
                         ids=["empty", "not-gzip", "truncated", "trailing-junk"])
def test_bounded_gunzip_refuses_what_is_not_gzip(data: bytes) -> None:
    with pytest.raises(BadRequest) as info:
        gunzip_bounded(data, 1000)
    assert info.value.code == "invalid-code"


# Over what the app's 64 MiB body limit costs to read (a body and its copies), well under the
# 900 MiB the bomb inflates to.
@pytest.mark.bound(seconds=30, megabytes=600)
async def test_a_gzip_bomb_as_a_request_body_stops_at_the_body_limit(
        api: Api, config: EmulatorConfig) -> None:
    # aiohttp inflates `content-encoding: gzip` bodies itself, in bounded steps; its body size
    # limit applies to the inflated bytes
    headers = {**admin_headers(config), "content-encoding": "gzip"}
    res = await api.post("/machines", data=io.BytesIO(_gzip_bomb(900)), headers=headers)
    assert res.status in (400, 413), await res.text()
    assert set(await res.json()) >= {"error", "code"}
    await assert_responsive(api, config)
