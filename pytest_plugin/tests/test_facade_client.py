"""The facade's HTTP client and token helpers, against a scripted HTTP server."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from pytest_httpserver import HTTPServer

from sb_emulator.testing import (
    ApiError,
    Client,
    ServerError,
    exchange_anonymous_token,
)


def test_request_sends_json_bearer_and_decodes_body(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/machines/m", method="POST", json={"slug": "i1", "context": {"a": 1}},
        headers={"authorization": "Bearer tok", "content-type": "application/json"},
    ).respond_with_json({"state": "idle", "ts": 1, "tags": [], "done": False})
    state = Client(httpserver.url_for("/"), "tok").create_instance("m", "i1", {"a": 1})
    assert state["state"] == "idle"
    httpserver.check_assertions()


def test_error_body_becomes_typed_api_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/machines/m/i/x").respond_with_json(
        {"error": "no such instance", "code": "not-found"}, status=404
    )
    with pytest.raises(ApiError) as caught:
        Client(httpserver.url_for("/"), "tok").get_instance("m", "x")
    assert (caught.value.status, caught.value.code, caught.value.error) == (
        404, "not-found", "no such instance",
    )


def test_empty_success_body_is_none(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/machines/m/i/x/status", method="PUT").respond_with_data(
        "", status=204
    )
    client = Client(httpserver.url_for("/"), "tok")
    assert client.request("PUT", "/machines/m/i/x/status", json_body={"status": "paused"}) is None


def test_lists_follow_cursors(httpserver: HTTPServer) -> None:
    path = "/machines/m/i/x/events"
    httpserver.expect_ordered_request(path, query_string="").respond_with_json(
        {"transitions": [{"n": 1}], "cursor": "c2"}
    )
    httpserver.expect_ordered_request(path, query_string="cursor=c2").respond_with_json(
        {"transitions": [{"n": 2}]}
    )
    assert Client(httpserver.url_for("/"), "t").list_transitions("m", "x") == [{"n": 1}, {"n": 2}]


def test_query_sends_only_given_parameters(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/machines/m/indexes/owner/query", query_string={"op": "eq", "value": "bob"}
    ).respond_with_json({"instances": [{"slug": "a", "indexValue": "bob"}]})
    found = Client(httpserver.url_for("/"), "t").query("m", "owner", op="eq", value="bob")
    assert found == [{"slug": "a", "indexValue": "bob"}]


def test_client_rejects_non_http_urls() -> None:
    with pytest.raises(ValueError, match="not an http"):
        Client("ftp://example.com")


def _decode(segment: str) -> dict[str, object]:
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def test_anonymous_exchange_posts_the_client_form(httpserver: HTTPServer) -> None:
    seen: dict[str, list[str]] = {}

    def handler(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert "authorization" not in request.headers
        seen.update(urllib.parse.parse_qs(request.get_data(as_text=True)))
        return Response(json.dumps({"access_token": "sb.jwt"}), content_type="application/json")

    httpserver.expect_request("/tokens", method="POST").respond_with_handler(handler)
    assert exchange_anonymous_token(httpserver.url_for("/"), "org_q", "s9") == "sb.jwt"
    assert seen["audience"] == ["https://tokens.statebacked.dev/org_q/anonymous-statebacked-dev"]
    assert seen["grant_type"] == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    claims = _decode(seen["subject_token"][0].split(".")[1])
    assert (claims["sid"], claims["did"], claims["iss"]) == (
        "s9", "s9", "https://org_q.anonymous.auth.statebacked.dev",
    )


def test_server_error_message_carries_the_server_traceback() -> None:
    def machine_action() -> None:
        raise KeyError("missing-context-key")

    try:
        machine_action()
    except KeyError as err:
        caught = err
    message = str(ServerError([caught]))
    assert "1 error inside sb-emulator" in message
    assert "machine_action" in message and "missing-context-key" in message
