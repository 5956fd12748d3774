"""YAML HTTP API endpoints: require conditions, the verified ``jwt``, response mapping."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from sb_emulator.machines import HttpApiHandlerError, load_definition_text

DOC = """
name: hooks
machine:
  id: hooks
  initial: idle
  context: {}
  states:
    idle: {on: {ping: idle}}
allowRead: "true"
allowWrite: "true"
httpApi:
  ping:
    jwtSecretEnv: HOOKS_SECRET
    require:
      request.query.kind == "ping": only pings
    handler:
      machineInstanceName: request.query.id
      event: '{"type": "ping"}'
      authContext: '{"sub": jwt.sub}'
    responseMapper:
      statusCode: 202
      body: '{"state": state, "done": result}'
"""


def request(token: str | None, kind: str = "ping") -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return {"method": "POST", "headers": headers, "query": {"kind": kind, "id": "i1"}, "body": None}


def test_secret_from_the_environment_is_read_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = load_definition_text(DOC, "hooks.yaml").http_api_mapper["ping"]
    token = jwt.encode({"sub": "svc"}, "s3cret", algorithm="HS256")
    with pytest.raises(HttpApiHandlerError, match="HOOKS_SECRET is not set"):
        endpoint.handler(request(token))
    monkeypatch.setenv("HOOKS_SECRET", "s3cret")
    assert endpoint.handler(request(token)) == {
        "machineInstanceName": "i1", "event": {"type": "ping"}, "authContext": {"sub": "svc"}}


@pytest.mark.parametrize(("token", "kind", "message"), [
    (None, "ping", "missing bearer token"),
    (jwt.encode({"sub": "x"}, "other-secret", algorithm="HS256"), "ping", "invalid token"),
    (jwt.encode({"sub": "x"}, "s3cret", algorithm="HS256"), "pong", "only pings"),
])
def test_handler_refusals(monkeypatch: pytest.MonkeyPatch, token: str | None, kind: str,
                          message: str) -> None:
    monkeypatch.setenv("HOOKS_SECRET", "s3cret")
    endpoint = load_definition_text(DOC, "hooks.yaml").http_api_mapper["ping"]
    with pytest.raises(HttpApiHandlerError, match=message):
        endpoint.handler(request(token, kind))


def test_response_mapper_fills_in_defaults() -> None:
    endpoint = load_definition_text(DOC, "hooks.yaml").http_api_mapper["ping"]
    assert endpoint.response_mapper({"state": "idle", "context": {}, "result": None}) == {
        "statusCode": 202, "headers": {}, "body": {"state": "idle", "done": None}}
