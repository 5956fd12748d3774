"""The control API (``/_emulator/*``) answers no other web page (issue 16), over real HTTP.

A page on another origin must not read ``/_emulator/export`` (every key secret) nor reset or
import state, neither by CORS (the emulated API echoes any ``Origin``) nor by DNS rebinding
(the page's own host name resolving to 127.0.0.1, so the browser sends ``Host: evil...``).
Python callers (the pytest plugin, the CLI) send no ``Origin`` and ``Host: 127.0.0.1:PORT``;
a same-origin page (the future dashboard at ``/_emulator/ui``) sends its own origin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app

pytestmark = pytest.mark.bound(seconds=30, megabytes=256)

Api = TestClient[Any, Any]
EVIL = "http://evil.example"
CONTROL_ROUTES = [
    ("GET", "/_emulator/health"),
    ("GET", "/_emulator/export"),
    ("POST", "/_emulator/import"),
    ("POST", "/_emulator/reset"),
    ("GET", "/_emulator/clock"),
    ("POST", "/_emulator/clock/advance"),
]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(port=0, clock="manual", settle_timeout_s=5.0, strict=True)


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


def own_host(api: Api) -> str:
    return f"127.0.0.1:{api.port}"


def no_cors_headers(res: Any) -> bool:
    return not any(name.lower().startswith("access-control-") for name in res.headers)


async def assert_refused(res: Any, code: str, fragment: str) -> None:
    assert res.status == 403, await res.text()
    assert no_cors_headers(res)
    body = await res.json()
    assert body["code"] == code
    assert fragment in body["error"]


async def create_instance(api: Api, config: EmulatorConfig) -> None:
    """Give the emulator some state that a reset or an import would lose."""
    admin = {"authorization": f"Bearer {mint_token(config, 'admin')}"}
    res = await api.post("/keys", json={"name": "precious", "use": "ci"}, headers=admin)
    assert res.status == 200


async def key_names(api: Api, config: EmulatorConfig) -> list[str]:
    admin = {"authorization": f"Bearer {mint_token(config, 'admin')}"}
    listing = await (await api.get("/keys", headers=admin)).json()
    return sorted(key["name"] for key in listing["keys"])


@pytest.mark.parametrize(("method", "path"), CONTROL_ROUTES)
async def test_cross_origin_requests_are_refused(api: Api, method: str, path: str) -> None:
    res = await api.request(method, path, headers={"origin": EVIL}, json={"ms": 1})
    await assert_refused(res, "cross-origin-refused", EVIL)


@pytest.mark.parametrize(("method", "path"), CONTROL_ROUTES)
async def test_preflights_are_refused(api: Api, method: str, path: str) -> None:
    res = await api.options(path, headers={
        "origin": EVIL, "access-control-request-method": method,
        "access-control-request-headers": "content-type",
    })
    await assert_refused(res, "cross-origin-refused", EVIL)


async def test_refused_reset_and_import_change_nothing(api: Api, config: EmulatorConfig) -> None:
    await create_instance(api, config)
    before = await key_names(api, config)
    assert "precious" in before
    await assert_refused(
        await api.post("/_emulator/reset", headers={"origin": EVIL}), "cross-origin-refused", EVIL
    )
    exported = await (await api.get("/_emulator/export")).json()
    await assert_refused(
        await api.post("/_emulator/import", json={}, headers={"origin": "null"}),
        "cross-origin-refused", "'null'",
    )
    assert await key_names(api, config) == before
    assert await (await api.get("/_emulator/export")).json() == exported


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
async def test_no_cors_requests_from_other_sites_are_refused(api: Api, site: str) -> None:
    # <img>/<script>/<form> requests may carry no Origin; browsers mark them with Sec-Fetch-Site
    res = await api.get("/_emulator/export", headers={"sec-fetch-site": site})
    await assert_refused(res, "cross-origin-refused", site)


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil:80",
             "10.0.0.7:8765", "[::2]:8765", "", "127.0.0.1:80@evil.example"],
)
async def test_foreign_host_headers_are_refused(api: Api, host: str) -> None:
    # DNS rebinding: the browser believes it talks to evil.example and says so in Host
    res = await api.get("/_emulator/export", headers={"host": host})
    await assert_refused(res, "untrusted-host", "Host")


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:1", "localhost", "LocalHost:8765", "[::1]", "[::1]:8765"],
)
async def test_loopback_host_headers_are_accepted(api: Api, host: str) -> None:
    res = await api.get("/_emulator/health", headers={"host": host})
    assert res.status == 200, await res.text()


async def test_the_configured_host_is_accepted(
    aiohttp_client: Callable[..., Awaitable[Api]]
) -> None:
    config = EmulatorConfig(host="devbox.internal", port=0, clock="manual")
    api = await aiohttp_client(create_app(config))
    assert (await api.get("/_emulator/health", headers={"host": "devbox.internal:8765"})).status == 200
    await assert_refused(
        await api.get("/_emulator/health", headers={"host": "other.internal:8765"}),
        "untrusted-host", "devbox.internal",
    )


async def test_a_wildcard_bind_is_still_addressable_by_local_programs(
    aiohttp_client: Callable[..., Awaitable[Api]]
) -> None:
    # the test plugin with host 0.0.0.0 talks to http://0.0.0.0:PORT
    api = await aiohttp_client(create_app(EmulatorConfig(host="0.0.0.0", port=0, clock="manual")))
    assert (await api.get("/_emulator/health", headers={"host": "0.0.0.0:8765"})).status == 200
    await assert_refused(
        await api.get("/_emulator/export", headers={"host": "0.0.0.0:8765", "origin": EVIL}),
        "cross-origin-refused", EVIL,
    )
    await assert_refused(
        await api.get("/_emulator/export", headers={"host": "192.168.1.5:8765"}),
        "untrusted-host", "192.168.1.5",
    )


async def test_python_callers_and_same_origin_pages_work(api: Api) -> None:
    plain = await api.get("/_emulator/export")  # what the pytest plugin and the CLI send
    assert plain.status == 200 and no_cors_headers(plain)
    origin = f"http://{own_host(api)}"
    same = await api.get("/_emulator/export", headers={"origin": origin,
                                                       "sec-fetch-site": "same-origin"})
    assert same.status == 200 and no_cors_headers(same)
    typed = await api.post("/_emulator/clock/advance", json={"ms": 5},
                           headers={"sec-fetch-site": "none"})  # typed in the address bar
    assert typed.status == 200
    # same host, other port: another origin
    other_port = await api.get("/_emulator/export", headers={"origin": "http://127.0.0.1:1"})
    await assert_refused(other_port, "cross-origin-refused", "http://127.0.0.1:1")


async def test_encoded_paths_do_not_slip_past(api: Api) -> None:
    res = await api.get("/%5Femulator/export", headers={"origin": EVIL})
    assert res.status in (403, 404)
    assert no_cors_headers(res)


async def test_the_version_upload_endpoint_belongs_to_the_emulated_api(api: Api) -> None:
    # /_emulator/uploads/<id> stands in for the hosted service's S3 upload URL
    origin = "http://localhost:3000"
    preflight = await api.options("/_emulator/uploads/some-id", headers={
        "origin": origin, "access-control-request-method": "POST",
    })
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    res = await api.post("/_emulator/uploads/unknown-id", data=b"x", headers={
        "origin": origin, "content-type": "text/plain",
    })
    assert res.status == 400  # refused for its body, by the upload route
    assert (await res.json())["code"] == "invalid-upload"
    assert res.headers["access-control-allow-origin"] == origin


async def test_the_emulated_api_keeps_cors_for_browser_apps(
    api: Api, config: EmulatorConfig
) -> None:
    origin = "http://localhost:3000"
    preflight = await api.options("/machines", headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    })
    assert preflight.status == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    res = await api.get("/machines", headers={
        "origin": origin, "authorization": f"Bearer {mint_token(config, 'a')}",
    })
    assert res.status == 200
    assert res.headers["access-control-allow-origin"] == origin
    spec = await api.get("/openapi.yaml", headers={"origin": origin})
    assert spec.status == 200
    assert spec.headers["access-control-allow-origin"] == origin
