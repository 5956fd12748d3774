"""Inline invoke sources of Python definitions run like named services (``courier.py``)."""

from __future__ import annotations

from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER, all_transitions, context_of


async def test_an_inline_service_without_invoke_id_settles_the_creation(emu: Emulator) -> None:
    state = await emu.create_instance(ORG, "courier", "c", None, None, USER)
    assert state["state"] == "idle"
    assert (await context_of(emu, "courier", "c"))["quote"] == {"price": 10}
    done = (await all_transitions(emu, "courier", "c"))[-1]["event"]
    assert done == {"type": "done.invoke.courier.quoting:invocation[0]",
                    "data": {"price": 10}}


async def test_an_inline_service_gets_the_invoke_data_and_id(emu: Emulator) -> None:
    await emu.create_instance(ORG, "courier", "c", None, None, USER)
    state = await emu.send_event(ORG, "courier", "c", {"type": "label", "to": "Ada"}, USER)
    assert state["state"] == "idle"
    assert (await context_of(emu, "courier", "c"))["label"] == "label to Ada"


async def test_an_inline_service_that_raises_sends_error_platform(emu: Emulator) -> None:
    await emu.create_instance(ORG, "courier", "c", None, None, USER)
    await emu.send_event(ORG, "courier", "c", {"type": "track", "parcel": 7}, USER)
    assert (await context_of(emu, "courier", "c"))["error"] == {
        "message": "parcel 7 is lost", "name": "LookupError"}
    assert (await all_transitions(emu, "courier", "c"))[-1]["event"]["type"] == \
        "error.platform.track"


async def test_an_inline_service_made_by_a_closure(emu: Emulator) -> None:
    await emu.create_instance(ORG, "courier", "c", None, None, USER)
    await emu.send_event(ORG, "courier", "c", {"type": "route", "city": "Lyon"}, USER)
    assert (await context_of(emu, "courier", "c"))["depot"] == "FR-69"
    await emu.send_event(ORG, "courier", "c", {"type": "route", "city": "Nowhere"}, USER)
    assert (await all_transitions(emu, "courier", "c"))[-1]["event"] == {
        "type": "error.platform.depot", "data": {"message": "'Nowhere'", "name": "KeyError"}}
