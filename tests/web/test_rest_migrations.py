"""An invalid migration is refused when it is finalised, in the API's error shape."""

from __future__ import annotations

from typing import Any

from tests.web.helpers import bearer
from tests.web.test_rest_versions import V1, V2, _upload, _version

BAD = "upgradeState:\n  draft: editting\n"


async def test_an_invalid_migration_is_a_400_naming_file_line_and_key(api: Any, token: Any
                                                                      ) -> None:
    admin = bearer(token())
    await api.post("/machines", json={"slug": "flow"}, headers=admin)
    v1 = await _version(api, admin, V1)
    v2 = await _version(api, admin, V2, make_current=False)
    body = {"fromMachineVersionId": v1, "toMachineVersionId": v2}
    provisional = await _upload(api, admin, "/machines/flow/migrations", BAD.encode(),
                                gzipped=False, body=body)
    res = await api.put(f"/machines/flow/migrations/{provisional['machineVersionMigrationId']}",
                        headers=admin)
    assert res.status == 400
    assert await res.json() == {
        "code": "invalid-definition",
        "error": "the uploaded migration is invalid:\nflow.migration.yaml:2: upgradeState.draft: "
                 f"unknown state \"editting\"; expected the dotted path of a state of version "
                 f"{v2} (did you mean \"editing\"?)"}
