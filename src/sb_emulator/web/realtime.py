"""``GET /rt``: the realtime WebSocket API (API.md §5), over the pure protocol in ``realtime/``.

The route itself is in ``rt_route.py``, which imports this module on the first connection.

How one connection works:

* The upgrade is always accepted. A bad token, a foreign org or a missing ``state.read`` scope
  is reported as an ``error`` frame for each subscription's ``requestId``: the real client never
  retries a connection that was refused before it opened (API.md §5.4).
* Everything that writes to the socket runs in one *pump* task fed by one ordered queue per
  connection: client commands (subscribe, unsubscribe) and instance updates. So frames for one
  instance leave in the order the service produced them, and the service's listener only
  does a non-blocking ``put_nowait`` (the queue is unbounded: updates are never dropped and a
  slow socket never holds up a transition).
* The connection watches an instance once however many requestIds subscribe to it, and sends
  one ``instance-update`` per state change (the client fans it out). ``allowRead`` is checked
  on subscribe and again before every update (API.md §5.3 #5); when it starts failing, every
  requestId on that instance gets an ``error`` and the watch ends. The re-check runs against
  the instance's current state, the only thing the service's ``check_read`` evaluates.
* Pings are accepted and need no answer; only a silence of ``IDLE_TIMEOUT_S`` (well above the
  client's 5-minute ping interval) closes the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

from sb_emulator.auth.operations import operation
from sb_emulator.auth.orgs import resolve_org
from sb_emulator.auth.scopes import require_scope
from sb_emulator.auth.tokens import Principal, verify_bearer
from sb_emulator.errors import ApiError, BadRequest, Unauthenticated
from sb_emulator.realtime import (
    InstanceKey,
    Ping,
    ProtocolError,
    SubscribeToInstance,
    SubscriptionTable,
    UnsubscribeFromInstance,
    encode,
    error_from_api_error,
    error_from_protocol_error,
    error_message,
    instance_update,
    parse_client_message,
)
from sb_emulator.web.keys import EMULATOR, SERVER_ERRORS
from sb_emulator.web.rt_route import OPEN_SOCKETS

if TYPE_CHECKING:
    from sb_emulator.service import Emulator

log = logging.getLogger("sb_emulator.web.realtime")

ORG_PARAM = "x-statebacked-org-id"
# the scope every subscription needs: the subscribe operation's, from the operation table
(READ_SCOPE,) = operation("subscribe").scopes
# SPEC asks for a ping every 5 minutes and the client pings exactly that often: be generous.
IDLE_TIMEOUT_S = 15 * 60.0

State = dict[str, Any]

async def serve_socket(request: web.Request) -> web.WebSocketResponse:
    """Serve one `/rt` connection until it closes."""
    ws = web.WebSocketResponse(receive_timeout=IDLE_TIMEOUT_S)
    if not ws.can_prepare(request).ok:
        # a plain GET (no upgrade headers): say what /rt wants instead of aiohttp's bare 400
        raise BadRequest("GET /rt is the realtime WebSocket endpoint: open it with a WebSocket "
                         "upgrade (Connection: Upgrade, Upgrade: websocket)",
                         code="websocket-upgrade-required")
    await ws.prepare(request)
    sockets = request.app[OPEN_SOCKETS]
    sockets.add(ws)
    connection = RealtimeConnection(
        ws,
        request.app[EMULATOR],
        authenticate_socket(request),
        report_problem=request.app[SERVER_ERRORS].append,
    )
    try:
        await connection.run()
    finally:
        sockets.discard(ws)
    return ws


def authenticate_socket(request: web.Request) -> Principal | ApiError:
    """The connection's principal, or the error every subscription on it will receive."""
    token = request.query.get("token")
    if not token:
        return Unauthenticated("missing token: connect to /rt?token=<State Backed token>")
    try:
        principal = verify_bearer(token, request.app[EMULATOR].find_key, int(time.time()))
        return resolve_org(principal, request.query.get(ORG_PARAM))
    except ApiError as err:
        return err


@dataclass(eq=False)
class _Watch:
    """The connection's one service subscription to an instance."""

    key: InstanceKey
    stop: Callable[[], object] | None = None
    # Until the subscribe is confirmed, updates are held here rather than queued (see _confirm).
    held: list[State] | None = field(default_factory=list)
    last_sent: State | None = None


@dataclass(frozen=True)
class _Update:
    watch: _Watch
    state: State


@dataclass(frozen=True)
class _Send:
    frame: dict[str, Any]


_Command = SubscribeToInstance | UnsubscribeFromInstance | _Update | _Send


class RealtimeConnection:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        emulator: Emulator,
        auth: Principal | ApiError,
        *,
        report_problem: Callable[[BaseException], object],
    ) -> None:
        self._ws = ws
        self._emulator = emulator
        self._auth = auth
        self._report_problem = report_problem
        self._table = SubscriptionTable()
        self._watches: dict[InstanceKey, _Watch] = {}
        self._inbox: asyncio.Queue[_Command] = asyncio.Queue()

    async def run(self) -> None:
        pump = asyncio.create_task(self._pump())
        try:
            await self._read_frames()
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
            for key in list(self._watches):
                self._end_watch(key)

    async def _read_frames(self) -> None:
        while not self._ws.closed:
            try:
                msg = await self._ws.receive()
            except TimeoutError:
                await self._ws.close(code=WSCloseCode.GOING_AWAY, message=b"no ping")
                return
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                self._on_frame(msg.data)
            elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            elif msg.type == WSMsgType.ERROR:
                log.debug("websocket error: %s", self._ws.exception())
                return

    def _on_frame(self, data: str | bytes) -> None:
        try:
            message = parse_client_message(data)
        except ProtocolError as err:
            reply = error_from_protocol_error(err)
            if reply is None:
                log.info("ignored a /rt frame nobody can be answered for: %s", err.message)
            else:
                self._inbox.put_nowait(_Send(reply))
            return
        if not isinstance(message, Ping):  # a ping only proves the client is alive
            self._inbox.put_nowait(message)

    async def _pump(self) -> None:
        while True:
            command = await self._inbox.get()
            try:
                await self._execute(command)
            except ConnectionResetError:
                return
            except Exception as err:  # a service bug must not kill the connection silently
                log.exception("error while serving /rt")
                self._report_problem(err)
                try:
                    await self._fail_command(command, err)
                except ConnectionResetError:
                    return

    async def _execute(self, command: _Command) -> None:
        if isinstance(command, SubscribeToInstance):
            await self._subscribe(command)
        elif isinstance(command, UnsubscribeFromInstance):
            gone = self._table.remove(command.request_id)
            if gone is not None:
                self._end_watch(gone)
        elif isinstance(command, _Update):
            await self._deliver(command.watch, command.state)
        else:
            await self._send(command.frame)

    async def _fail_command(self, command: _Command, err: Exception) -> None:
        """Tell the requestIds concerned that the server failed (500), as REST would."""
        if isinstance(command, SubscribeToInstance):
            request_ids = [command.request_id]
        elif isinstance(command, _Update) and self._watches.get(command.watch.key) is command.watch:
            request_ids = self._table.drop_instance(command.watch.key)
            self._end_watch(command.watch.key)
        else:
            return
        message = f"internal error: {type(err).__name__}: {err}"
        for request_id in request_ids:
            await self._send(error_message(request_id, 500, "internal-error", message))

    async def _subscribe(self, msg: SubscribeToInstance) -> None:
        key = (msg.machine_name, msg.machine_instance_name)
        try:
            principal = self._reader()
            existing = self._watches.get(key)
            if existing is not None:
                await self._check_read(principal, key)
                self._add_request(msg.request_id, key)
                # Re-send what this connection last sent: updates already queued follow it,
                # so the connection's frames for the instance stay in order.
                if existing.last_sent is not None:
                    await self._send(instance_update(*key, existing.last_sent))
                return
            await self._start_watch(principal, msg.request_id, key)
        except ApiError as err:
            await self._send(error_from_api_error(msg.request_id, err))

    async def _start_watch(self, principal: Principal, request_id: str, key: InstanceKey) -> None:
        watch = _Watch(key)
        # Listen before reading, so no transition falls between the read and the listening.
        watch.stop = self._emulator.subscribe(
            principal.org_id, key[0], key[1], self._listener_for(watch)
        )
        try:
            current = await self._check_read(principal, key)
        except BaseException:
            watch.stop()
            raise
        self._watches[key] = watch
        self._add_request(request_id, key)
        await self._confirm(watch, current)

    def _listener_for(self, watch: _Watch) -> Callable[[State], None]:
        def listener(state: State) -> None:
            if watch.held is not None:
                watch.held.append(state)
            else:
                self._inbox.put_nowait(_Update(watch, state))

        return listener

    async def _confirm(self, watch: _Watch, current: State) -> None:
        """Send the current state, then the held updates that came after it.

        ``current`` is one state of the sequence the listener saw, or the state before all of
        it. The held updates up to the last one equal to ``current`` are already contained in
        it; re-sending them would show the client an older state after a newer one.
        """
        held, watch.held = watch.held or [], None
        frame = instance_update(*watch.key, current)
        start = 0
        for index, state in enumerate(held):
            if instance_update(*watch.key, state) == frame:
                start = index + 1
        watch.last_sent = current
        await self._send(frame)
        for state in held[start:]:
            await self._deliver(watch, state)

    async def _deliver(self, watch: _Watch, state: State) -> None:
        if self._watches.get(watch.key) is not watch:
            return  # unsubscribed (or replaced) since this update was queued
        try:
            await self._check_read(self._reader(), watch.key)
        except ApiError as err:
            request_ids = self._table.drop_instance(watch.key)
            self._end_watch(watch.key)
            for request_id in request_ids:
                await self._send(error_from_api_error(request_id, err))
            return
        watch.last_sent = state
        await self._send(instance_update(*watch.key, state))

    def _add_request(self, request_id: str, key: InstanceKey) -> None:
        added = self._table.add(request_id, key)
        if added.vacated is not None:
            self._end_watch(added.vacated)

    def _end_watch(self, key: InstanceKey) -> None:
        watch = self._watches.pop(key, None)
        if watch is not None and watch.stop is not None:
            watch.stop()

    def _reader(self) -> Principal:
        """The principal subscriptions act as; raises the connection's auth problem if any."""
        if isinstance(self._auth, ApiError):
            raise self._auth
        require_scope(self._auth, READ_SCOPE)
        return self._auth

    async def _check_read(self, principal: Principal, key: InstanceKey) -> State:
        state: State = await self._emulator.check_read(
            principal.org_id, key[0], key[1], dict(principal.auth_context)
        )
        return state

    async def _send(self, frame: dict[str, Any]) -> None:
        if self._ws.closed:
            raise ConnectionResetError("socket closed")
        await self._ws.send_str(encode(frame))
