"""The `/rt` connection's ordering rules, against a scripted service over a real socket.

The real service makes it hard to land a transition exactly inside a subscribe's read; this
stand-in lets each test decide what happens while ``check_read`` is in flight, so the
subscribe/confirm logic is proven for every interleaving: the client must never see an older
state after a newer one, and must never miss the latest one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.tokens import sign_token
from sb_emulator.errors import NotFound, RejectedByMachineAuthorizer
from sb_emulator.web.keys import EMULATOR, SERVER_ERRORS
from sb_emulator.web.rt_route import realtime_handler, setup_realtime
from tests.realtime.wsclient import RtClient, states_of
from tests.waiting import wait_until

if TYPE_CHECKING:
    from sb_emulator.service import Emulator

ORG = "org_fakeFakeFakeFakeFakeFa"
KEY = ApiKey(
    id="sbk_fakeKeyFakeKeyFakeKe",
    org_id=ORG,
    name="test",
    secret="sbsec_fake",
    scopes=frozenset({"state.read"}),
    created_at_ms=0,
)
M, INST = "m", "i"
Listener = Callable[[dict[str, Any]], None]


def wire(n: int) -> dict[str, Any]:
    return {"ts": 1000 + n, "state": f"s{n}", "tags": [], "done": False, "publicContext": {"n": n}}


class ScriptedEmulator:
    """Holds one instance; ``during_read`` runs inside check_read, before or after the read."""

    def __init__(self) -> None:
        self.current = wire(0)
        self.listeners: list[Listener] = []
        self.before_read: Callable[[], Awaitable[None]] | None = None
        self.after_read: Callable[[], Awaitable[None]] | None = None
        self.readable = True
        self.exists = True

    def find_key(self, key_id: str) -> ApiKey | None:
        return KEY if key_id == KEY.id else None

    def subscribe(self, org_id: str, machine: str, instance: str, listener: Listener) -> Any:
        assert (org_id, machine, instance) == (ORG, M, INST)
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    async def check_read(
        self, org_id: str, machine: str, instance: str, auth_context: dict[str, Any]
    ) -> dict[str, Any]:
        if self.before_read is not None:
            await self.before_read()
        if not self.exists:
            raise NotFound("no such instance")
        if not self.readable:
            raise RejectedByMachineAuthorizer("allowRead said no")
        state = dict(self.current)
        if self.after_read is not None:
            await self.after_read()
        return state

    def transition(self, n: int) -> None:
        self.current = wire(n)
        for listener in list(self.listeners):
            listener({**self.current, "machineName": M, "machineInstanceName": INST})


@pytest.fixture
def fake() -> ScriptedEmulator:
    return ScriptedEmulator()


@pytest.fixture
async def rt(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], fake: ScriptedEmulator
) -> Callable[[], Awaitable[RtClient]]:
    app = web.Application()
    app[EMULATOR] = cast("Emulator", fake)  # duck-typed: only what /rt calls
    app[SERVER_ERRORS] = []
    setup_realtime(app)
    app.router.add_get("/rt", realtime_handler)  # the one route of this bare app
    client = await aiohttp_client(app)
    token = sign_token(KEY, {"sub": "u"})

    async def connect() -> RtClient:
        return RtClient(await client.ws_connect("/rt", params={"token": token}))

    return connect


def run_transitions(fake: ScriptedEmulator, *numbers: int) -> Callable[[], Awaitable[None]]:
    """A one-shot hook: the first read it runs in sees these transitions, later reads none."""
    pending = list(numbers)

    async def hook() -> None:
        while pending:
            fake.transition(pending.pop(0))
        await asyncio.sleep(0)

    return hook


async def test_transitions_before_the_read_are_not_resent(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    fake.before_read = run_transitions(fake, 1, 2)
    client = await rt()
    await client.subscribe("r", M, INST)
    assert states_of(await client.updates(1)) == ["s2"]
    fake.transition(3)
    assert states_of(await client.updates(1)) == ["s3"]
    await client.assert_silent()


async def test_transitions_after_the_read_follow_it_in_order(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    fake.after_read = run_transitions(fake, 1, 2)
    client = await rt()
    await client.subscribe("r", M, INST)
    assert states_of(await client.updates(3)) == ["s0", "s1", "s2"]
    await client.assert_silent()


async def test_transitions_on_both_sides_of_the_read(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    fake.before_read = run_transitions(fake, 1)
    fake.after_read = run_transitions(fake, 2, 3)
    client = await rt()
    await client.subscribe("r", M, INST)
    assert states_of(await client.updates(3)) == ["s1", "s2", "s3"]
    await client.assert_silent()


async def test_a_burst_is_never_dropped_nor_reordered(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    client = await rt()
    await client.subscribe("r", M, INST)
    assert states_of(await client.updates(1)) == ["s0"]
    for n in range(1, 201):  # synchronously, as a busy transition loop would
        fake.transition(n)
    frames = await client.updates(200)
    assert states_of(frames) == [f"s{n}" for n in range(1, 201)]
    assert [f["publicContext"] for f in frames] == [{"n": n} for n in range(1, 201)]


async def test_second_request_id_gets_what_the_connection_last_sent(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    client = await rt()
    await client.subscribe("r1", M, INST)
    assert states_of(await client.updates(1)) == ["s0"]
    # s3 and s4 happen while r2's read is in flight, so their updates queue behind it: r2
    # must get s0 (what this connection last sent), not s4 followed by the older s3.
    fake.before_read = run_transitions(fake, 3, 4)
    await client.subscribe("r2", M, INST)
    assert states_of(await client.updates(3)) == ["s0", "s3", "s4"]
    await client.assert_silent()
    assert len(fake.listeners) == 1  # one service subscription for both requestIds
    fake.transition(5)
    assert states_of(await client.updates(1)) == ["s5"]  # one update for both requestIds
    await client.assert_silent()


async def test_failed_subscribe_leaves_no_listener_behind(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    fake.readable = False
    fake.after_read = run_transitions(fake, 1)
    client = await rt()
    await client.subscribe("r", M, INST)
    error = await client.next()
    assert error["type"] == "error"
    assert error["requestId"] == "r"
    assert error["code"] == "rejected-by-machine-authorizer"
    assert fake.listeners == []
    fake.transition(2)
    await client.assert_silent()


async def test_closing_the_socket_unsubscribes_from_the_service(
    fake: ScriptedEmulator, rt: Callable[[], Awaitable[RtClient]]
) -> None:
    client = await rt()
    await client.subscribe("r", M, INST)
    await client.updates(1)
    assert len(fake.listeners) == 1
    await client.ws.close()
    await wait_until(lambda: not fake.listeners)
