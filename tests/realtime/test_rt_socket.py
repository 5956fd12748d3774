"""`/rt` over real sockets against the real service (API.md §5)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.tokens import sign_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import realtime, rt_route
from tests.realtime.conftest import Api, bearer, create_instance, send_event
from tests.realtime.wsclient import RtClient, states_of

Connect = Callable[..., Awaitable[RtClient]]
Token = Callable[..., str]


async def test_subscribe_sends_the_current_state_at_once(api: Api, token: Token, rt: Connect) -> None:
    created = await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.subscribe("k3j2h1g0f9", "door", "d1")
    (update,) = await client.updates(1)
    assert update == {
        "type": "instance-update",
        "machineName": "door",
        "machineInstanceName": "d1",
        "ts": created["ts"],
        "state": "closed",
        "publicContext": {"opens": 0},
        "tags": [],
        "done": False,
    }
    await client.assert_silent()


async def test_public_context_is_an_empty_object_when_the_machine_has_none(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token(), "bare", "b1")
    client = await rt(token())
    await client.subscribe("r", "bare", "b1")
    (update,) = await client.updates(1)
    assert update["publicContext"] == {}
    await send_event(api, token(), "bare", "b1", "go")
    (update,) = await client.updates(1)
    assert update["state"] == "b"
    assert update["publicContext"] == {}


async def test_several_subscribers_see_the_same_ordered_updates(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    clients = [await rt(token(f"user{n}")) for n in range(3)]
    for n, client in enumerate(clients):
        await client.subscribe(f"r{n}", "door", "d1")
        assert states_of(await client.updates(1)) == ["closed"]
    events = ["open", "close"] * 4
    for event in events:
        await send_event(api, token("alice"), "door", "d1", event)
    seen = [await client.updates(len(events)) for client in clients]
    assert states_of(seen[0]) == ["open", "closed"] * 4
    assert [f["publicContext"]["opens"] for f in seen[0]] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert seen[1] == seen[0]
    assert seen[2] == seen[0]
    stamps = [f["ts"] for f in seen[0]]
    assert stamps == sorted(stamps)
    for client in clients:
        await client.assert_silent()


async def test_concurrent_writers_reach_every_subscriber_in_one_order(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    clients = [await rt(token("bob")) for _ in range(2)]
    for client in clients:
        await client.subscribe("r", "door", "d1")
        await client.updates(1)
    await asyncio.gather(*(send_event(api, token("bob"), "door", "d1", "knock") for _ in range(6)))
    first, second = [await client.updates(6) for client in clients]
    assert first == second
    assert [f["publicContext"]["knocks"] for f in first] == [1, 2, 3, 4, 5, 6]
    for client in clients:
        await client.assert_silent()


async def test_one_update_per_change_for_two_request_ids_on_one_connection(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.subscribe("r1", "door", "d1")
    await client.subscribe("r2", "door", "d1")
    assert states_of(await client.updates(2)) == ["closed", "closed"]
    await send_event(api, token("alice"), "door", "d1", "open")
    assert states_of(await client.updates(1)) == ["open"]
    await client.assert_silent()
    await client.unsubscribe("r1", "door", "d1")
    await send_event(api, token("alice"), "door", "d1", "close")
    assert states_of(await client.updates(1)) == ["closed"]  # r2 still subscribed
    await client.unsubscribe("r2", "door", "d1")
    await send_event(api, token("alice"), "door", "d1", "open")
    await client.assert_silent()


async def test_unsubscribe_stops_updates_only_for_that_connection(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    leaving, staying = await rt(token("alice")), await rt(token("alice"))
    for client in (leaving, staying):
        await client.subscribe("same-id", "door", "d1")
        await client.updates(1)
    await leaving.unsubscribe("same-id", "door", "d1")
    await leaving.ping()  # frames are handled in order: the unsubscribe is done after this
    await send_event(api, token("alice"), "door", "d1", "open")
    assert states_of(await staying.updates(1)) == ["open"]
    await leaving.assert_silent()


async def test_reader_rejected_by_allow_read_gets_an_error_and_nothing_else(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("nobody"))
    await client.subscribe("r1", "door", "d1")
    assert await client.next() == {
        "type": "error",
        "requestId": "r1",
        "status": 403,
        "code": "rejected-by-machine-authorizer",
        "error": (await client_error_text(api, token("nobody"), "door", "d1")),
    }
    await send_event(api, token("alice"), "door", "d1", "open")
    await client.assert_silent()


async def client_error_text(api: Api, token: str, machine: str, instance: str) -> str:
    """The REST error message for the same read, which the socket error must repeat."""
    res = await api.get(f"/machines/{machine}/i/{instance}", headers=bearer(token))
    assert res.status == 403
    body = await res.json()
    assert isinstance(body["error"], str)
    return str(body["error"])


async def test_missing_instance_is_a_404_error(api: Api, token: Token, rt: Connect) -> None:
    client = await rt(token())
    await client.subscribe("r1", "door", "nope")
    error = await client.next()
    assert (error["type"], error["requestId"], error["status"]) == ("error", "r1", 404)
    await client.subscribe("r2", "no-such-machine", "x")
    error = await client.next()
    assert (error["requestId"], error["status"]) == ("r2", 404)


async def test_allow_read_is_rechecked_for_every_update(api: Api, token: Token, rt: Connect) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    owner, guest = await rt(token("alice")), await rt(token("bob"))
    await owner.subscribe("o", "door", "d1")
    await guest.subscribe("g1", "door", "d1")
    await guest.subscribe("g2", "door", "d1")
    await owner.updates(1)
    await guest.updates(2)
    await send_event(api, token("alice"), "door", "d1", "hide")  # now only alice may read
    errors = [await guest.next(), await guest.next()]
    assert [(e["type"], e["requestId"], e["status"], e["code"]) for e in errors] == [
        ("error", "g1", 403, "rejected-by-machine-authorizer"),
        ("error", "g2", 403, "rejected-by-machine-authorizer"),
    ]
    assert states_of(await owner.updates(1)) == ["closed"]
    await send_event(api, token("alice"), "door", "d1", "open")
    assert states_of(await owner.updates(1)) == ["open"]
    await guest.assert_silent()


async def test_timer_driven_transition_reaches_subscribers(api: Api, token: Token, rt: Connect) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.subscribe("r", "door", "d1")
    await client.updates(1)
    await send_event(api, token("alice"), "door", "d1", "open")
    (opened,) = await client.updates(1)
    assert opened["tags"] == ["ajar"]
    res = await api.post("/_emulator/clock/advance", json={"ms": 999})
    assert res.status == 200
    await client.assert_silent()
    res = await api.post("/_emulator/clock/advance", json={"ms": 1})
    assert res.status == 200
    (closed,) = await client.updates(1)
    assert closed["state"] == "closed"
    assert closed["tags"] == []
    assert closed["ts"] >= opened["ts"] + 1000


async def test_service_result_transition_reaches_subscribers(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.subscribe("r", "door", "d1")
    await client.updates(1)
    await send_event(api, token("alice"), "door", "d1", "measure")
    # one update for entering "measuring", one for the service's result taking it back
    assert states_of(await client.updates(2)) == ["measuring", "closed"]
    admin = await api.get("/machines/door/i/d1/admin", headers=bearer(token()))
    assert (await admin.json())["context"]["width"] == 82


async def test_transition_caused_by_another_instance_reaches_subscribers(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    await create_instance(api, token(), "bell", "b1")
    client = await rt(token("alice"))
    await client.subscribe("r", "door", "d1")
    await client.updates(1)
    await send_event(api, token(), "bell", "b1", "ring")
    (update,) = await client.updates(1)
    assert update["machineInstanceName"] == "d1"
    assert update["publicContext"] == {"opens": 0, "knocks": 1}


async def test_bad_token_is_accepted_then_every_subscribe_errors(api: Api, rt: Connect) -> None:
    rest = await api.get("/machines/door/i/d1", headers=bearer("not-a-jwt"))
    assert rest.status == 401
    rest_error = await rest.json()
    client = await rt("not-a-jwt")  # the upgrade succeeds: the client never retries a refusal
    for request_id in ("a", "b"):
        await client.subscribe(request_id, "door", "d1")
        error = await client.next()
        assert error == {
            "type": "error",
            "requestId": request_id,
            "status": 401,
            "code": rest_error["code"],  # the same code REST gives for the same token
            "error": rest_error["error"],
        }
    await client.assert_silent()


async def test_missing_token_is_accepted_then_errors(rt: Connect) -> None:
    client = await rt(None)
    await client.subscribe("a", "door", "d1")
    error = await client.next()
    assert (error["requestId"], error["status"]) == ("a", 401)
    assert "token" in error["error"]


async def test_expired_token_errors(api: Api, config: EmulatorConfig, rt: Connect) -> None:
    key = ApiKey(config.key_id, config.org_id, "admin", config.key_secret, frozenset(), 0)
    stale = sign_token(key, {"sub": "alice"}, expires_at_s=1_000_000)
    client = await rt(stale)
    await client.subscribe("a", "door", "d1")
    error = await client.next()
    assert (error["requestId"], error["status"]) == ("a", 401)


async def test_key_without_state_read_gets_missing_scope(api: Api, token: Token, rt: Connect) -> None:
    res = await api.post(
        "/keys", json={"name": "writer", "scopes": ["events.write"]}, headers=bearer(token())
    )
    assert res.status == 200, await res.text()
    created = await res.json()
    key = ApiKey(created["id"], "ignored", "writer", created["key"], frozenset(), 0)
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(sign_token(key, {"sub": "alice"}))
    await client.subscribe("r", "door", "d1")
    error = await client.next()
    assert (error["requestId"], error["status"], error["code"]) == ("r", 403, "missing-scope")


async def test_org_param_naming_another_org_is_missing_org(api: Api, token: Token, rt: Connect) -> None:
    client = await rt(token(), **{"x-statebacked-org-id": "org_someoneElsesOrg000000"})
    await client.subscribe("r", "door", "d1")
    error = await client.next()
    assert (error["requestId"], error["status"], error["code"]) == ("r", 403, "missing-org")


async def test_org_param_naming_the_tokens_org_is_fine(
    api: Api, config: EmulatorConfig, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"), **{"x-statebacked-org-id": config.org_id})
    await client.subscribe("r", "door", "d1")
    assert states_of(await client.updates(1)) == ["closed"]


async def test_malformed_frames_are_ignored_or_answered_and_the_socket_lives_on(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.ws.send_str("this is not json")
    await client.ws.send_str("[1, 2, 3]")
    await client.ws.send_json({"type": "subscribe-to-instance", "machineName": "door"})
    await client.assert_silent()  # nothing to address an error to
    await client.ws.send_json({"type": "dance", "requestId": "r0"})
    error = await client.next()
    assert (error["type"], error["requestId"], error["status"]) == ("error", "r0", 400)
    await client.ws.send_json(
        {"type": "subscribe-to-instance", "requestId": "r1", "machineName": "door",
         "machineInstanceName": "bad name!"}
    )
    error = await client.next()
    assert (error["requestId"], error["status"], error["code"]) == ("r1", 400, "invalid-parameter")
    await client.subscribe("r2", "door", "d1")
    assert states_of(await client.updates(1)) == ["closed"]


async def test_ping_gets_no_answer_and_keeps_the_socket(api: Api, token: Token, rt: Connect) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.ping()
    await client.assert_silent()
    await client.subscribe("r", "door", "d1")
    assert states_of(await client.updates(1)) == ["closed"]


async def test_resubscribe_after_reconnect_gets_the_current_state(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    first = await rt(token("alice"))
    await first.subscribe("r", "door", "d1")
    await first.updates(1)
    await first.ws.close()
    await send_event(api, token("alice"), "door", "d1", "open")  # missed while away
    second = await rt(token("alice"))
    await second.subscribe("r", "door", "d1")  # the client replays the same requestId
    assert states_of(await second.updates(1)) == ["open"]


async def test_shutdown_closes_every_socket(api: Api, token: Token, rt: Connect) -> None:
    clients = [await rt(token()), await rt("bad-token")]
    await api.server.close()  # runs on_shutdown, then cleanup
    for client in clients:
        msg = await client.ws.receive(timeout=5)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert client.ws.closed or msg.type == aiohttp.WSMsgType.CLOSE


def test_idle_timeout_is_far_above_the_clients_ping_interval() -> None:
    # the client pings exactly every 5 minutes; nothing may be enforced below 10 minutes
    assert realtime.IDLE_TIMEOUT_S >= 600


async def test_only_silence_beyond_the_idle_timeout_closes_a_socket(
    token: Token, rt: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each socket takes the idle timeout in force when it connects. The chatty one gets a
    # timeout far above its ping gap (2 s against 0.05 s: only a 2 s stall of the whole
    # process could close it on a busy machine) and keeps pinging for longer than that timeout,
    # so its pings, not luck, keep it open; the quiet one closes once it has been silent.
    monkeypatch.setattr(realtime, "IDLE_TIMEOUT_S", 2.0)
    chatty = await rt(token())
    monkeypatch.setattr(realtime, "IDLE_TIMEOUT_S", 0.4)
    quiet = await rt(token())
    for _ in range(60):  # 3 s of pings: past the chatty socket's own timeout
        await chatty.ping()
        await asyncio.sleep(0.05)
    msg = await quiet.ws.receive(timeout=5)
    assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    await chatty.subscribe("r", "door", "missing")
    assert (await chatty.next())["status"] == 404  # still served


async def test_closing_sockets_on_demand_lets_clients_reconnect_and_resubscribe(
    api: Api, token: Token, rt: Connect
) -> None:
    await create_instance(api, token("alice"), "door", "d1", owner="alice")
    client = await rt(token("alice"))
    await client.subscribe("r", "door", "d1")
    await client.updates(1)
    assert api.app is not None
    await rt_route.close_realtime_sockets(api.app, "state replaced")
    msg = await client.ws.receive(timeout=5)
    assert msg.type == aiohttp.WSMsgType.CLOSE
    assert msg.extra == "state replaced"
    again = await rt(token("alice"))
    await again.subscribe("r", "door", "d1")
    assert states_of(await again.updates(1)) == ["closed"]


async def test_a_plain_get_of_rt_says_it_needs_a_websocket_upgrade(api: Api, token: Token) -> None:
    res = await api.get("/rt", params={"token": token()})
    assert res.status == 400
    body = await res.json()
    assert body["code"] == "websocket-upgrade-required"
    assert "WebSocket upgrade" in body["error"]
