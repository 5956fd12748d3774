"""Machines, versions and instance creation over real sockets: success and error paths."""

from __future__ import annotations

from typing import Any

from sb_emulator.ids import hmac_confirmation
from tests.web.helpers import bearer


async def test_list_machines_includes_loaded_definitions(api: Any, token: Any) -> None:
    res = await api.get("/machines", headers=bearer(token()))
    assert res.status == 200
    body = await res.json()
    slugs = {m["slug"] for m in body["machines"]}
    assert "counter" in slugs
    counter = next(m for m in body["machines"] if m["slug"] == "counter")
    assert counter["currentVersion"]["id"].startswith("ver_")
    assert counter["currentVersion"]["clientInfo"] == "1.0.0"


async def test_missing_token_is_401(api: Any) -> None:
    res = await api.get("/machines")
    assert res.status == 401
    assert (await res.json())["code"]


async def test_wrong_signature_is_401(api: Any, token: Any) -> None:
    forged = token()[:-4] + ("AAAA" if not token().endswith("AAAA") else "BBBB")
    res = await api.get("/machines", headers=bearer(forged))
    assert res.status == 401


async def test_missing_scope_is_403(api: Any, prod_token: Any) -> None:
    res = await api.get("/machines", headers=bearer(prod_token()))
    assert res.status == 403
    assert (await res.json())["code"] == "missing-scope"


async def test_create_machine_then_conflict_and_get(api: Any, token: Any) -> None:
    headers = bearer(token())
    res = await api.post("/machines", json={"slug": "fresh", "indexes": ["a"]}, headers=headers)
    assert res.status == 201
    assert await res.read() == b""
    again = await api.post("/machines", json={"slug": "fresh"}, headers=headers)
    assert again.status == 409
    got = await api.get("/machines/fresh", headers=headers)
    assert got.status == 200
    machine = (await got.json())["machine"]
    assert machine["indexes"] == ["a"]
    assert "currentVersion" not in machine


async def test_create_machine_bad_slug_is_400_naming_it(api: Any, token: Any) -> None:
    res = await api.post("/machines", json={"slug": "bad slug!"}, headers=bearer(token()))
    assert res.status == 400
    body = await res.json()
    assert body["code"] == "invalid-parameter"
    assert "slug" in body.get("parameter", "") + body["error"]


async def test_get_unknown_machine_is_404(api: Any, token: Any) -> None:
    res = await api.get("/machines/nope", headers=bearer(token()))
    assert res.status == 404


async def test_delete_machine_rules(api: Any, token: Any) -> None:
    headers = bearer(token())
    await api.post("/machines", json={"slug": "doomed"}, headers=headers)
    wrong = await api.delete(
        "/machines/doomed",
        json={"dangerDataWillBeDeletedForever": True, "hmacSha256OfMachineNameWithMachineNameKey": "x"},
        headers=headers,
    )
    assert wrong.status == 400
    assert (await wrong.json())["parameter"] == "hmacSha256OfMachineNameWithMachineNameKey"
    ok = await api.delete(
        "/machines/doomed",
        json={
            "dangerDataWillBeDeletedForever": True,
            "hmacSha256OfMachineNameWithMachineNameKey": hmac_confirmation("doomed", "doomed"),
        },
        headers=headers,
    )
    assert ok.status == 204
    assert (await api.get("/machines/doomed", headers=headers)).status == 404


async def test_delete_machine_with_instances_is_409(api: Any, token: Any) -> None:
    headers = bearer(token())
    await api.post("/machines/counter", json={"slug": "c1"}, headers=headers)
    res = await api.delete(
        "/machines/counter",
        json={
            "dangerDataWillBeDeletedForever": True,
            "hmacSha256OfMachineNameWithMachineNameKey": hmac_confirmation("counter", "counter"),
        },
        headers=headers,
    )
    assert res.status == 409
    assert (await res.json())["code"] == "invalid-state"


async def test_list_versions(api: Any, token: Any) -> None:
    res = await api.get("/machines/counter/v", headers=bearer(token()))
    assert res.status == 200
    versions = (await res.json())["versions"]
    assert len(versions) == 1
    assert set(versions[0]) >= {"id", "createdAt", "clientInfo"}
