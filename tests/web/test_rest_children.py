"""Persistent children over the REST API: YAML versions uploaded through the three-step flow;
a child's reaching its final state moves its parent on with ``done.invoke.<id>``."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import aiohttp

from tests.web.helpers import bearer

RUNTIME_MACHINES = Path(__file__).parent.parent / "runtime" / "machines"


async def _version(api: Any, admin: dict[str, str], machine: str) -> None:
    """Create ``machine`` with the YAML of tests/runtime/machines as its current version."""
    assert (await api.post("/machines", json={"slug": machine}, headers=admin)).status == 201
    res = await api.post(f"/machines/{machine}/v?gzip", headers=admin)
    assert res.status == 200, await res.text()
    provisional = await res.json()
    form = aiohttp.FormData()
    for name, value in provisional["codeUploadFields"].items():
        form.add_field(name, value)
    form.add_field("content-type", "application/javascript")
    form.add_field("content-encoding", "gzip")
    code = (RUNTIME_MACHINES / f"{machine}.yaml").read_bytes()
    form.add_field("file", gzip.compress(code), filename=f"{machine}.js",
                   content_type="application/javascript")
    upload = await api.session.post(provisional["codeUploadUrl"], data=form)
    assert upload.status == 204, await upload.text()
    res = await api.put(f"/machines/{machine}/v/{provisional['machineVersionId']}",
                        json={"clientInfo": "1.0.0", "makeCurrent": True}, headers=admin)
    assert res.status == 200, await res.text()


async def test_a_finished_child_moves_its_parent_on(api: Any, token: Any) -> None:
    tester = bearer(token("tester"))
    for machine in ("trial", "quest"):
        await _version(api, tester, machine)
    created = await api.post("/machines/quest", json={"slug": "q1"}, headers=tester)
    assert (created.status, (await created.json())["state"]) == (200, "questing")
    listed = await (await api.get("/machines/trial/i", headers=tester)).json()
    (child,) = [i["slug"] for i in listed["instances"]]
    for event in ("score", "finish"):
        sent = await api.post(f"/machines/trial/i/{child}/events", json={"event": event},
                              headers=tester)
        assert sent.status == 200, await sent.text()
    assert (await sent.json())["done"] is True
    parent = await (await api.get("/machines/quest/i/q1", headers=tester)).json()
    assert parent["state"] == "rewarded"
    admin = await (await api.get("/machines/quest/i/q1/admin", headers=tester)).json()
    assert admin["context"]["reward"] == {"hero": "tester", "score": 1}
    history = await (await api.get("/machines/quest/i/q1/events", headers=tester)).json()
    assert [t["event"] for t in history["transitions"]][-2:] == [
        {"type": "cheered"}, {"type": "done.invoke.trial", "data": {"hero": "tester", "score": 1}}]
