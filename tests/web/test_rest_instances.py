"""Instances over real sockets: create, read, events, admin, transitions, status, delete."""

from __future__ import annotations

from typing import Any

from sb_emulator.ids import hmac_confirmation
from tests.web.helpers import bearer


async def _create(api: Any, token: str, slug: str = "i1", **body: Any) -> Any:
    return await api.post("/machines/counter", json={"slug": slug, **body}, headers=bearer(token))


async def test_create_returns_state_and_merges_context(api: Any, token: Any) -> None:
    res = await _create(api, token("alice"), context={"owner": "alice"})
    assert res.status == 200
    state = await res.json()
    assert state["state"] == "idle"
    assert state["done"] is False
    assert state["tags"] == []
    assert state["publicContext"] == {"count": 0}
    assert isinstance(state["ts"], int)
    admin = await api.get("/machines/counter/i/i1/admin", headers=bearer(token()))
    assert (await admin.json())["context"] == {"count": 0, "owner": "alice", "public": {"count": 0}}


async def test_answers_are_compact_utf8_json(api: Any, token: Any) -> None:
    res = await _create(api, token("alice"), context={"owner": "alice", "note": "grüß"})
    assert res.headers["content-type"] == "application/json; charset=utf-8"
    admin = await api.get("/machines/counter/i/i1/admin", headers=bearer(token()))
    assert '"note":"grüß"' in (await admin.read()).decode("utf-8")


async def test_create_twice_is_409(api: Any, token: Any) -> None:
    await _create(api, token("alice"), context={"owner": "alice"})
    res = await _create(api, token("alice"), context={"owner": "alice"})
    assert res.status == 409


async def test_create_rejected_by_authorizer_is_403_with_explanation(api: Any, token: Any) -> None:
    res = await _create(api, token("mallory"), context={"owner": "alice"})
    assert res.status == 403
    body = await res.json()
    assert body["code"] == "rejected-by-machine-authorizer"
    assert "allowWrite" in body["error"] or "allow_write" in body["error"]


async def test_create_for_unknown_machine_is_404(api: Any, token: Any) -> None:
    res = await api.post("/machines/nope", json={"slug": "x"}, headers=bearer(token()))
    assert res.status == 404


async def test_get_state_404_before_authorizer(api: Any, token: Any) -> None:
    res = await api.get("/machines/counter/i/missing", headers=bearer(token("nobody")))
    assert res.status == 404


async def test_get_state_rejected_by_allow_read(api: Any, token: Any) -> None:
    await _create(api, token("alice"), context={"owner": "alice"})
    res = await api.get("/machines/counter/i/i1", headers=bearer(token("nobody")))
    assert res.status == 403
    assert (await res.json())["code"] == "rejected-by-machine-authorizer"
    ok = await api.get("/machines/counter/i/i1", headers=bearer(token("bob")))
    assert ok.status == 200


async def test_send_event_updates_state(api: Any, token: Any) -> None:
    alice = token("alice")
    await _create(api, alice, context={"owner": "alice"})
    res = await api.post(
        "/machines/counter/i/i1/events", json={"event": {"type": "inc", "by": 5}}, headers=bearer(alice)
    )
    assert res.status == 200
    assert (await res.json())["publicContext"] == {"count": 5}
    res = await api.post("/machines/counter/i/i1/events", json={"event": "start"}, headers=bearer(alice))
    state = await res.json()
    assert state["state"] == "running"
    assert state["tags"] == ["busy"]


async def test_send_event_errors(api: Any, token: Any, prod_token: Any) -> None:
    alice = token("alice")
    await _create(api, alice, context={"owner": "alice"})
    missing = await api.post("/machines/counter/i/zzz/events", json={"event": "inc"}, headers=bearer(alice))
    assert missing.status == 404
    rejected = await api.post(
        "/machines/counter/i/i1/events", json={"event": "inc"}, headers=bearer(token("bob"))
    )
    assert rejected.status == 403
    no_event = await api.post("/machines/counter/i/i1/events", json={}, headers=bearer(alice))
    assert no_event.status == 400
    # the production key may send events (events.write / instances.write)
    prod = await api.post(
        "/machines/counter/i/i1/events", json={"event": "inc"}, headers=bearer(prod_token("alice"))
    )
    assert prod.status == 200


async def test_paused_instance_refuses_events_and_resumes(api: Any, token: Any) -> None:
    admin = bearer(token())
    await _create(api, token("alice"), context={"owner": "alice"})
    res = await api.put("/machines/counter/i/i1/status", json={"status": "paused"}, headers=admin)
    assert res.status == 204
    info = await (await api.get("/machines/counter/i/i1/admin", headers=admin)).json()
    assert info["status"] == "paused"
    refused = await api.post("/machines/counter/i/i1/events", json={"event": "inc"}, headers=admin)
    assert refused.status == 409
    assert (await refused.json())["code"] == "invalid-state"
    await api.put("/machines/counter/i/i1/status", json={"status": "running"}, headers=admin)
    resumed = await api.post("/machines/counter/i/i1/events", json={"event": "inc"}, headers=admin)
    assert (await resumed.json())["publicContext"] == {"count": 1}
    bad = await api.put("/machines/counter/i/i1/status", json={"status": "sleepy"}, headers=admin)
    assert bad.status == 400


async def test_list_instances_and_transitions(api: Any, token: Any) -> None:
    admin = bearer(token())
    await _create(api, token(), slug="a")
    await _create(api, token(), slug="b")
    await api.post("/machines/counter/i/a/events", json={"event": "start"}, headers=admin)
    listing = await (await api.get("/machines/counter/i", headers=admin)).json()
    assert sorted(i["slug"] for i in listing["instances"]) == ["a", "b"]
    assert all(i["status"] == "running" for i in listing["instances"])
    transitions = await (await api.get("/machines/counter/i/a/events", headers=admin)).json()
    states = [t["state"] for t in transitions["transitions"]]
    assert states[-1] == "running"
    assert transitions["transitions"][-1]["event"] == {"type": "start"}


async def test_admin_state_shape_and_404(api: Any, token: Any) -> None:
    admin = bearer(token())
    await _create(api, token())
    body = await (await api.get("/machines/counter/i/i1/admin", headers=admin)).json()
    assert set(body) >= {"state", "context", "status", "tags", "done", "machineVersion", "createdAt"}
    assert (await api.get("/machines/counter/i/none/admin", headers=admin)).status == 404


async def test_delete_instance_needs_hmac(api: Any, token: Any) -> None:
    admin = bearer(token())
    await _create(api, token())
    bad = await api.delete(
        "/machines/counter/i/i1",
        json={
            "dangerDataWillBeDeletedForever": True,
            "hmacSha256OfMachineInstanceNameWithMachineNameKey": "no",
        },
        headers=admin,
    )
    assert bad.status == 400
    ok = await api.delete(
        "/machines/counter/i/i1",
        json={
            "dangerDataWillBeDeletedForever": True,
            "hmacSha256OfMachineInstanceNameWithMachineNameKey": hmac_confirmation("counter", "i1"),
        },
        headers=admin,
    )
    assert ok.status == 204
    assert (await api.get("/machines/counter/i/i1", headers=admin)).status == 404


async def test_desired_version_without_migration_path_is_400(api: Any, token: Any) -> None:
    admin = bearer(token())
    await _create(api, token())
    res = await api.put(
        "/machines/counter/i/i1/v",
        json={"targetMachineVersionId": "ver_AAAAAAAAAAAAAAAAAAAAAA"},
        headers=admin,
    )
    assert res.status in (400, 404)
    if res.status == 400:
        assert (await res.json())["code"] == "no-migration-path"


async def test_index_query(api: Any, token: Any, prod_token: Any) -> None:
    await _create(api, token("alice"), slug="x1", context={"owner": "alice"})
    await _create(api, token("bob"), slug="x2", context={"owner": "bob"})
    res = await api.get(
        "/machines/counter/indexes/owner/query", params={"op": "eq", "value": "bob"},
        headers=bearer(prod_token()),
    )
    assert res.status == 200
    assert (await res.json())["instances"] == [{"indexValue": "bob", "slug": "x2"}]
    desc = await api.get(
        "/machines/counter/indexes/owner/query", params={"dir": "desc"}, headers=bearer(token())
    )
    assert [i["indexValue"] for i in (await desc.json())["instances"]] == ["bob", "alice"]
