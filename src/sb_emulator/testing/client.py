"""A small synchronous client of the emulated REST API, and the tokens tests need.

Standard library HTTP (one connection per call, no proxies from the environment), so it works
the same against the embedded emulator, a separate ``sb-emulator`` process or a deployment.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

DEFAULT_SUB = "admin"
TOKEN_LIFETIME_S = 24 * 3600
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


class ApiError(Exception):
    """The API answered with an error: ``ApiError(status, code, error, body)``.

    ``status``: the HTTP status (``404``, ``409``, ``403``, ...); ``code`` and ``error``: the
    fields of the error body ``{"error": ..., "code": ...}`` (``None`` when the JSON body has
    no such field); ``body``: the whole decoded JSON body, or ``None`` for an empty one.
    A success whose body is not the JSON object an operation returns is raised as
    ``ApiError(200, "unexpected-body", ...)``.
    """

    def __init__(self, status: int, code: str | None, error: str | None, body: Any = None):
        super().__init__(f"HTTP {status} {code or ''}: {error or ''}".strip())
        self.status = status
        self.code = code
        self.error = error
        self.body = body


class Client:
    """A synchronous client of the emulated REST API (one HTTP connection per call).

    Every method raises :class:`ApiError` for an answer with status 400 or more, and
    ``OSError`` (``ConnectionRefusedError``, ``TimeoutError``, ...) when the server cannot be
    reached within ``timeout`` seconds. Instance states are the API's own JSON objects:
    ``{"ts", "state", "tags", "done", "publicContext"?}``, ``publicContext`` being the machine's
    ``context.public``.
    """

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 60.0):
        """``Client(base_url, token=None, *, timeout=60.0)``: ``token`` is sent as
        ``authorization: Bearer ...`` (none without it). Raises ``ValueError`` for a URL that
        is not ``http(s)://host...``."""
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._parsed = parsed

    def with_token(self, token: str | None) -> Client:
        """``with_token(token) -> Client``: the same server and timeout, another token."""
        return Client(self.base_url, token, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """``request(method, path, *, json_body=None, form=None, query=None, headers=None)``:
        send one request to ``base_url + path``; return its decoded JSON body (``None`` for an
        empty one).

        ``json_body`` is sent as JSON, ``form`` as ``application/x-www-form-urlencoded``;
        ``query`` parameters whose value is ``None`` are left out; ``headers`` are added last
        (overriding). Raises :class:`ApiError` for a status of 400 or more, and
        ``json.JSONDecodeError`` for a non-empty body that is not JSON.
        """
        status, body = self._send(method, path, json_body, form, query, headers)
        decoded = json.loads(body) if body.strip() else None
        if status >= 400:
            fields = decoded if isinstance(decoded, dict) else {}
            raise ApiError(status, fields.get("code"), fields.get("error"), decoded)
        return decoded

    def _send(
        self,
        method: str,
        path: str,
        json_body: Any,
        form: dict[str, str] | None,
        query: dict[str, Any] | None,
        extra_headers: dict[str, str] | None,
    ) -> tuple[int, bytes]:
        # Like the real client: a JSON content type on every call (API.md §1.2).
        headers = {"content-type": "application/json", "accept": "application/json"}
        payload: bytes | None = None
        if form is not None:
            headers["content-type"] = "application/x-www-form-urlencoded"
            payload = urllib.parse.urlencode(form).encode()
        elif json_body is not None:
            payload = json.dumps(json_body).encode()
        if self.token is not None:
            headers["authorization"] = f"Bearer {self.token}"
        headers.update(extra_headers or {})
        target = self._parsed.path.rstrip("/") + path
        kept = {k: str(v) for k, v in (query or {}).items() if v is not None}
        if kept:
            target += "?" + urllib.parse.urlencode(kept)
        conn = self._connection()
        try:
            conn.request(method, target, body=payload, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._parsed.hostname or "", self._parsed.port
        if self._parsed.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    # -- the emulated API, by operation (API.md §4)

    def create_instance(
        self,
        machine: str,
        slug: str,
        context: dict[str, Any] | None = None,
        *,
        machine_version_id: str | None = None,
    ) -> dict[str, Any]:
        """``create_instance(machine, slug, context=None, *, machine_version_id=None) -> state``:
        ``POST /machines/{machine}``; the new instance's state (``context`` is its initial
        context, merged over the machine's). Raises :class:`ApiError`: 409 when ``slug``
        already exists, 404 for an unknown machine or version, 403
        ``rejected-by-machine-authorizer`` when ``allowWrite`` refuses, 400 for an invalid slug.
        """
        body: dict[str, Any] = {"slug": slug}
        if context is not None:
            body["context"] = context
        if machine_version_id is not None:
            body["machineVersionId"] = machine_version_id
        return self._dict(self.request("POST", f"/machines/{machine}", json_body=body))

    def get_instance(self, machine: str, slug: str) -> dict[str, Any]:
        """``get_instance(machine, slug) -> state``: ``GET /machines/{machine}/i/{slug}``.
        Raises :class:`ApiError`: 404 for an unknown machine or instance, 403 when
        ``allowRead`` refuses."""
        return self._dict(self.request("GET", f"/machines/{machine}/i/{slug}"))

    def send_event(self, machine: str, slug: str, event: str | dict[str, Any]) -> dict[str, Any]:
        """``send_event(machine, slug, event) -> state``: ``POST .../i/{slug}/events``; the
        state once the event (a type, or ``{"type": ..., **data}``) and what it started have
        settled. Raises :class:`ApiError`: 404, 403 ``rejected-by-machine-authorizer`` when
        ``allowWrite`` refuses, 409 ``invalid-state`` for a paused instance, 400
        ``context-too-large``, 504 ``settle-timeout``, 500 ``machine-implementation-error``
        when machine code throws."""
        path = f"/machines/{machine}/i/{slug}/events"
        return self._dict(self.request("POST", path, json_body={"event": event}))

    def admin(self, machine: str, slug: str) -> dict[str, Any]:
        """``admin(machine, slug) -> {"state", "context", "status", "tags", "done",
        "machineVersion", "createdAt", ...}``: ``GET .../i/{slug}/admin``, with the whole
        ``context`` (not only ``public``); no authorizer is asked, the token needs the admin
        scope. Raises :class:`ApiError`: 404, 403 ``missing-scope``."""
        return self._dict(self.request("GET", f"/machines/{machine}/i/{slug}/admin"))

    def list_transitions(self, machine: str, slug: str) -> list[dict[str, Any]]:
        """``list_transitions(machine, slug) -> [transition, ...]``: every transition of the
        instance, oldest first (``{"createdAt", "state", "event", ...}``), all pages followed.
        Raises :class:`ApiError`: 404, 403 ``missing-scope``."""
        return self._all_pages(f"/machines/{machine}/i/{slug}/events", "transitions", {})

    def list_machines(self) -> list[dict[str, Any]]:
        """``list_machines() -> [machine, ...]``: every machine of the org
        (``{"slug", "createdAt", "currentVersion"?}``), all pages followed. Raises
        :class:`ApiError`: 403 ``missing-scope``."""
        return self._all_pages("/machines", "machines", {})

    def list_instances(self, machine: str) -> list[dict[str, Any]]:
        """``list_instances(machine) -> [instance, ...]``: every instance of the machine
        (``{"slug", "createdAt", "status", "machineVersion"}``), all pages followed. Raises
        :class:`ApiError`: 404 for an unknown machine, 403 ``missing-scope``."""
        return self._all_pages(f"/machines/{machine}/i", "instances", {})

    def query(
        self,
        machine: str,
        index: str,
        *,
        op: str | None = None,
        value: str | None = None,
        dir: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """``query(machine, index, *, op=None, value=None, dir=None, limit=None) ->
        [{"slug", "indexValue"}, ...]``: the instances an index query finds (``op`` one of
        ``eq``, ``ne``, ``gt``, ``gte``, ``lt``, ``lte``; ``dir`` ``asc`` or ``desc``), all
        pages followed. Raises :class:`ApiError`: 404 for an unknown machine or index, 400
        for an invalid parameter, 403 ``missing-scope``."""
        params = {"op": op, "value": value, "dir": dir, "limit": limit}
        return self._all_pages(f"/machines/{machine}/indexes/{index}/query", "instances", params)

    def _all_pages(self, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self._dict(self.request("GET", path, query={**params, "cursor": cursor}))
            items.extend(page.get(key, []))
            cursor = page.get("cursor")
            if not cursor:
                return items

    @staticmethod
    def _dict(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ApiError(200, "unexpected-body", f"expected a JSON object, got {value!r}")
        return value


def sign_key_token(
    org_id: str, key_id: str, secret: str, act: dict[str, Any], lifetime_s: int = TOKEN_LIFETIME_S
) -> str:
    """A State Backed token signed with a key, its ``act`` claim = ``act``.

    Same shape as ``sb-emulator token`` mints: a string ``act["sub"]`` is also the top-level
    ``sub`` claim (see :func:`key_token`).
    """
    claims = dict(act)
    sub = claims.pop("sub", None)
    if sub is not None and not isinstance(sub, str):
        # Not a user id a JWT can carry as `sub`: left inside `act` only, as given.
        return key_token(org_id, key_id, secret, None, {"sub": sub, **claims}, lifetime_s)
    return key_token(org_id, key_id, secret, sub, claims, lifetime_s)


def key_token(
    org_id: str,
    key_id: str,
    secret: str,
    sub: str | None,
    claims: dict[str, Any] | None = None,
    lifetime_s: int = TOKEN_LIFETIME_S,
) -> str:
    """A token for the end user ``sub``, signed with a key: ``act = {sub, **claims}`` and a
    top-level ``sub``, the shape of ``sb-emulator token --sub`` (one function mints both)."""
    from sb_emulator.auth.records import ApiKey
    from sb_emulator.auth.tokens import sign_user_token

    key = ApiKey(
        id=key_id, org_id=org_id, name="testing", secret=secret,
        scopes=frozenset(), created_at_ms=0,
    )
    return sign_user_token(key, sub, claims, expires_in_s=lifetime_s)


def exchange_anonymous_token(
    base_url: str, org_id: str, session_id: str, device_id: str | None = None
) -> str:
    """Perform the real anonymous token exchange against ``POST /tokens``, with the identity
    token the real client mints locally (API.md §2.8)."""
    from sb_emulator.auth.anonymous import SERVICE, client_identity_token

    form = {
        "grant_type": TOKEN_EXCHANGE_GRANT,
        "audience": f"https://tokens.statebacked.dev/{org_id}/{SERVICE}",
        "requested_token_type": ACCESS_TOKEN_TYPE,
        "subject_token": client_identity_token(org_id, session_id, device_id),
    }
    body = Client(base_url).request("POST", "/tokens", form=form)
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ApiError(200, "unexpected-body", f"no access_token in {body!r}", body)
    return str(body["access_token"])
