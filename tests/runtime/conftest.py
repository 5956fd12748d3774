"""Service-level runtime tests: an ``Emulator`` built in-process (no HTTP) on a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from sb_emulator.clock import ManualClock
from sb_emulator.config import DEFAULT_ORG_ID
from sb_emulator.machines import load_path
from sb_emulator.service import Emulator, ServiceSettings
from sb_emulator.store.memory import MemoryStore

MACHINES = Path(__file__).parent / "machines"
ORG = DEFAULT_ORG_ID
USER = {"sub": "tester"}
START_MS = 1_700_000_000_000

EmulatorFactory = Callable[..., Awaitable[Emulator]]


async def make_emulator(settings: ServiceSettings | None = None) -> Emulator:
    """What ``bootstrap.build_emulator`` does for our machines, with custom ``settings``."""
    emu = Emulator(store=MemoryStore(), clock=ManualClock(START_MS), settings=settings)
    await emu.ensure_org(ORG, "runtime tests")
    for definition in load_path(str(MACHINES)):
        await emu.register_definition(ORG, definition)
    await emu.start()
    return emu


@pytest.fixture
async def emulator_factory() -> AsyncIterator[EmulatorFactory]:
    built: list[Emulator] = []

    async def factory(**settings: Any) -> Emulator:
        emu = await make_emulator(ServiceSettings(**settings))
        built.append(emu)
        return emu

    yield factory
    for emu in built:
        await emu.close()


@pytest.fixture
async def emu(emulator_factory: EmulatorFactory) -> Emulator:
    return await emulator_factory(settle_timeout_s=5.0)


async def events_of(emu: Emulator, machine: str, name: str) -> list[str]:
    """Event types of every recorded transition of an instance, through the paged API."""
    return [t["event"]["type"] for t in await all_transitions(emu, machine, name)]


async def all_transitions(emu: Emulator, machine: str, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await emu.list_transitions(ORG, machine, name, cursor)
        out += page["transitions"]
        cursor = page.get("cursor")
        if cursor is None:
            return out


async def context_of(emu: Emulator, machine: str, name: str) -> Any:
    return (await emu.admin_state(ORG, machine, name))["context"]
