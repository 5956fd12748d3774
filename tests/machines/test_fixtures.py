"""The example machines of fixtures/machines, in YAML and in Python, load and behave alike."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jwt
import pytest

from sb_emulator.engine import StartService, initial, transition
from sb_emulator.machines import MachineDefinition, ServiceMeta, load_definition, load_path

REPO = Path(__file__).resolve().parents[2]
YAML = REPO / "fixtures" / "machines"
PYTHON = YAML / "python"
SECRET = "sbsec_emulator-admin-secret-change-me"


def both(name: str, py_name: str) -> list[Any]:
    return [pytest.param(str(YAML / f"{name}.yaml"), id=f"{name}-yaml"),
            pytest.param(str(PYTHON / f"{py_name}.py"), id=f"{name}-python")]


def test_folder_loads_every_definition() -> None:
    names = sorted(d.name for d in load_path(str(YAML)))
    assert names == ["deliveries", "order", "toggler", "user-onboarding"]
    assert sorted(d.name for d in load_path(str(PYTHON))) == names


@pytest.mark.parametrize("path", both("toggler", "toggler"))
def test_toggler(path: str) -> None:
    d = load_definition(path)
    snap, _ = initial(d.machine)
    assert snap.value == "off"
    snap, _ = transition(d.machine, snap, "toggle")
    assert (snap.value, snap.tags, snap.context) == ("on", ("lit",), {"public": {"toggles": 1}})
    assert d.allow_write({"authContext": {}, "context": {}, "machineInstanceName": "x"}) is True


@pytest.mark.parametrize("path", both("order", "order"))
def test_order_places_and_authorizes_by_user(path: str) -> None:
    d = load_definition(path)
    snap, _ = initial(d.machine, {**d.machine.context, "orderId": "o1", "userId": "alice"})
    snap, _ = transition(d.machine, snap, {"type": "place", "items": ["a"], "total": 9.5})
    assert snap.value == "placed"
    assert snap.context["items"] == ["a"] and snap.context["total"] == 9.5
    request = {"authContext": {"sub": "alice"}, "context": snap.context, "state": snap.value,
               "machineInstanceName": "o1"}
    assert d.allow_read(request) is True
    assert d.allow_write({**request, "authContext": {"sub": "bob"}}) is False
    assert d.indexes["user"](snap.context) == "alice"


@pytest.mark.parametrize("path", both("order", "order"))
def test_order_fulfilled_outputs_its_done_data(path: str) -> None:
    d = load_definition(path)
    snap, _ = initial(d.machine, {**d.machine.context, "orderId": "o1", "userId": "alice"})
    snap, _ = transition(d.machine, snap, {"type": "place", "items": ["a"], "total": 9.5})
    snap, _ = transition(d.machine, snap, "fulfill")
    assert (snap.value, snap.done, snap.output) == ("fulfilled", True,
                                                     {"orderId": "o1", "total": 9.5})


@pytest.mark.parametrize("path", both("order", "order"))
def test_order_place_order_handler_and_mapper(path: str) -> None:
    d = load_definition(path)
    endpoint = d.http_api_mapper["place-order"]
    token = jwt.encode({"sub": "alice"}, SECRET, algorithm="HS256")
    request = {"method": "POST", "headers": {"authorization": f"Bearer {token}"}, "query": {},
               "body": {"orderId": "order-123", "items": ["item-a"], "total": 49.99}}
    out = endpoint.handler(request)
    assert out["machineInstanceName"] == "order-123"
    assert out["event"] == {"type": "place", "items": ["item-a"], "total": 49.99}
    assert out["authContext"] == {"sub": "alice"}
    assert out["initialContext"]["userId"] == "alice"
    mapped = endpoint.response_mapper({"state": "placed", "result": None, "context": {
        "orderId": "order-123", "total": 49.99, "items": [], "userId": "alice"}})
    assert mapped["statusCode"] == 200
    assert mapped["body"] == {"orderId": "order-123", "status": "placed", "total": 49.99}
    for bad in ({**request, "method": "GET"}, {**request, "body": {"orderId": "x"}},
                {**request, "headers": {"authorization": "Bearer nope"}}):
        with pytest.raises(Exception):  # noqa: B017 - any exception means "the handler threw"
            endpoint.handler(bad)


@pytest.mark.parametrize("path", both("user-onboarding", "user_onboarding"))
def test_user_onboarding(path: str) -> None:
    d = load_definition(path)
    snap, _ = initial(d.machine)
    snap, _ = transition(d.machine, snap, {"type": "completed-tutorial", "role": "engineer",
                                           "preferredChannel": "email"})
    assert snap.value == "profile" and snap.tags == ("collecting-profile",)
    assert snap.context["public"] == {"role": "engineer", "preferredChannel": "email"}
    anon = {"authContext": {"sid": "s1", "auth": "anonymous"}, "machineInstanceName": "s1",
            "context": {}}
    assert d.allow_write(anon) is True
    assert d.allow_write({**anon, "machineInstanceName": "other"}) is False


@pytest.mark.parametrize("path", both("deliveries", "deliveries"))
def test_deliveries_parallel_after_and_service(path: str) -> None:
    d = load_definition(path)
    snap, effects = initial(d.machine)
    assert snap.value == {"shipping": "quoting", "payment": "unpaid"}
    started = [e for e in effects if isinstance(e, StartService)]
    assert [e.id for e in started] == ["quote"]

    slept: list[int] = []

    async def sleep_ms(ms: int) -> None:
        slept.append(ms)

    service = d.services["courierQuote"]
    quote = asyncio.run(service(snap.context, snap.event, ServiceMeta(None, sleep_ms)))
    assert slept == [50]  # the service waits through the runtime's (fake) clock
    snap, _ = transition(d.machine, snap, {"type": "done.invoke.quote", "data": quote})
    assert snap.value == {"shipping": "quoted", "payment": "unpaid"}
    assert snap.context["quote"] == {"price": 12.5, "currency": "EUR"}
    timer = next(iter(snap.delayed))
    snap, _ = transition(d.machine, snap, snap.delayed[timer]["event"], delayed_id=timer)
    assert snap.value["payment"] == "expired"


def test_yaml_keeps_yaml_1_2_meaning_of_on_yes_no_off(tmp_path: Path) -> None:
    source = tmp_path / "switch.yaml"
    source.write_text("""
machine:
  id: switch
  initial: "no"
  states:
    no:
      on:
        yes: off
    off:
      on:
        on: no
allowRead: "true"
allowWrite: "true"
""")
    d: MachineDefinition = load_definition(str(source))
    snap, _ = initial(d.machine)
    assert snap.value == "no"
    snap, _ = transition(d.machine, snap, "yes")
    assert snap.value == "off"
    snap, _ = transition(d.machine, snap, "on")
    assert snap.value == "no"
