"""The three-step version and migration flows over real sockets, and upgrades through them."""

from __future__ import annotations

import gzip
from typing import Any

import aiohttp

from tests.web.helpers import bearer

V1 = """
name: flow
version: "1"
machine:
  id: flow
  initial: draft
  context: {title: "", public: {}}
  states:
    draft:
      on:
        publish: published
    published: {}
allowRead: "true"
allowWrite: "true"
"""

V2 = V1.replace("draft", "editing").replace('version: "1"', 'version: "2"')

MIGRATION = """
upgradeState:
  draft: editing
upgradeContext:
  title: '"migrated"'
"""


async def _upload(api: Any, admin: dict[str, str], path: str, code: bytes, *, gzipped: bool,
                  body: dict[str, Any] | None = None) -> dict[str, Any]:
    res = await api.post(path + ("?gzip" if gzipped else ""), json=body, headers=admin)
    assert res.status == 200, await res.text()
    provisional = await res.json()
    form = aiohttp.FormData()
    for name, value in provisional["codeUploadFields"].items():
        form.add_field(name, value)
    form.add_field("content-type", "application/javascript")
    if gzipped:
        form.add_field("content-encoding", "gzip")
    form.add_field("file", gzip.compress(code) if gzipped else code, filename="flow.js",
                   content_type="application/javascript")
    url = provisional["codeUploadUrl"]
    upload = await api.session.post(url, data=form)  # absolute URL, no State Backed headers
    assert upload.status == 204, await upload.text()
    return provisional  # type: ignore[no-any-return]


async def _version(api: Any, admin: dict[str, str], code: str, *, gzipped: bool = False,
                   make_current: bool = True) -> str:
    provisional = await _upload(api, admin, "/machines/flow/v", code.encode(), gzipped=gzipped)
    signed = provisional["machineVersionId"]
    res = await api.put(f"/machines/flow/v/{signed}",
                        json={"clientInfo": "ci", "makeCurrent": make_current}, headers=admin)
    assert res.status == 200, await res.text()
    return (await res.json())["machineVersionId"]  # type: ignore[no-any-return]


async def test_version_flow_plain_and_gzipped(api: Any, token: Any) -> None:
    admin = bearer(token())
    assert (await api.post("/machines", json={"slug": "flow"}, headers=admin)).status == 201
    v1 = await _version(api, admin, V1)
    v2 = await _version(api, admin, V2, gzipped=True, make_current=False)
    versions = await (await api.get("/machines/flow/v", headers=admin)).json()
    assert [v["id"] for v in versions["versions"]] == [v1, v2]
    machine = await (await api.get("/machines/flow", headers=admin)).json()
    assert machine["machine"]["currentVersion"]["id"] == v1
    created = await api.post("/machines/flow", json={"slug": "doc"}, headers=admin)
    assert (await created.json())["state"] == "draft"


async def test_javascript_versions_are_refused_clearly(api: Any, token: Any) -> None:
    admin = bearer(token())
    await api.post("/machines", json={"slug": "flow"}, headers=admin)
    provisional = await _upload(api, admin, "/machines/flow/v",
                                b"import { createMachine } from 'xstate';\nexport default 1;",
                                gzipped=False)
    res = await api.put(f"/machines/flow/v/{provisional['machineVersionId']}", json={},
                        headers=admin)
    assert res.status == 400
    assert "JavaScript" in (await res.json())["error"]


async def test_finalizing_without_upload_or_with_a_bad_id(api: Any, token: Any) -> None:
    admin = bearer(token())
    await api.post("/machines", json={"slug": "flow"}, headers=admin)
    res = await api.post("/machines/flow/v", headers=admin)  # no body at all, as the client
    signed = (await res.json())["machineVersionId"]
    assert (await api.put(f"/machines/flow/v/{signed}", json={}, headers=admin)).status == 400
    assert (await api.put("/machines/flow/v/sv_nope", json={}, headers=admin)).status == 400
    assert (await api.post("/machines/ghost/v", headers=admin)).status == 404


async def test_migration_flow_and_upgrade_on_next_event(api: Any, token: Any) -> None:
    admin = bearer(token())
    await api.post("/machines", json={"slug": "flow"}, headers=admin)
    v1 = await _version(api, admin, V1)
    v2 = await _version(api, admin, V2, make_current=False)
    await api.post("/machines/flow", json={"slug": "doc"}, headers=admin)
    no_path = await api.put("/machines/flow/i/doc/v", json={"targetMachineVersionId": v2},
                            headers=admin)
    assert no_path.status == 400
    assert (await no_path.json())["code"] == "no-migration-path"
    # the client also sends the code in this body: it is ignored
    body = {"fromMachineVersionId": v1, "toMachineVersionId": v2, "code": "ignored"}
    provisional = await _upload(api, admin, "/machines/flow/migrations", MIGRATION.encode(),
                                gzipped=True, body=body)
    signed = provisional["machineVersionMigrationId"]
    finalized = await api.put(f"/machines/flow/migrations/{signed}", headers=admin)
    assert finalized.status == 200
    assert set(await finalized.json()) >= {"machineVersionMigrationId"}
    desired = await api.put("/machines/flow/i/doc/v", json={"targetMachineVersionId": v2},
                            headers=admin)
    assert desired.status == 201
    pending = await (await api.get("/machines/flow/i/doc/admin", headers=admin)).json()
    assert pending["desiredMachineVersion"]["id"] == v2
    sent = await api.post("/machines/flow/i/doc/events", json={"event": "publish"}, headers=admin)
    assert (await sent.json())["state"] == "published"
    after = await (await api.get("/machines/flow/i/doc/admin", headers=admin)).json()
    assert after["machineVersion"]["id"] == v2 and "desiredMachineVersion" not in after
    assert after["context"]["title"] == "migrated"
    history = await (await api.get("/machines/flow/i/doc/events", headers=admin)).json()
    events = [t["event"]["type"] for t in history["transitions"]]
    assert events[-2:] == ["statebacked.upgrade", "publish"]
