"""A Python definition with inline invoke sources (tests/runtime/machines/courier.py), loaded
with --machines and driven over the REST API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sb_emulator.config import EmulatorConfig
from tests.web.helpers import bearer

COURIER = Path(__file__).parent.parent / "runtime" / "machines" / "courier.py"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(port=0, machines=(str(COURIER),), clock="manual", settle_timeout_s=5.0,
                          strict=True)


async def test_inline_services_settle_requests(api: Any, token: Any) -> None:
    user = bearer(token("ada"))
    created = await api.post("/machines/courier", json={"slug": "c"}, headers=user)
    assert created.status == 200, await created.text()
    assert (await created.json())["state"] == "idle"
    sent = await api.post("/machines/courier/i/c/events",
                          json={"event": {"type": "label", "to": "Ada"}}, headers=user)
    assert (sent.status, (await sent.json())["state"]) == (200, "idle")
    await api.post("/machines/courier/i/c/events",
                   json={"event": {"type": "track", "parcel": 3}}, headers=user)
    admin = await (await api.get("/machines/courier/i/c/admin", headers=user)).json()
    assert admin["context"]["quote"] == {"price": 10}
    assert admin["context"]["label"] == "label to Ada"
    assert admin["context"]["error"] == {"message": "parcel 3 is lost", "name": "LookupError"}
