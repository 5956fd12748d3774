"""Build a ready-to-serve Emulator from an EmulatorConfig.

Chooses the store (memory, or SQLite under ``--data-dir``) and the clock, creates the default
org with its admin and production keys, registers the ``--machines`` definitions and applies
``--import``. Shared by the server (web/app.py) and the testing facade.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sb_emulator.auth.scopes import ALL_SCOPES, PRESETS
from sb_emulator.clock import Clock, ManualClock, RealClock
from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import ApiError, EmulatorError
from sb_emulator.machines import load_path
from sb_emulator.service import Emulator, ServiceSettings
from sb_emulator.store.base import Store, StoreUnreadable
from sb_emulator.store.memory import MemoryStore


class StartupError(EmulatorError):
    """The emulator cannot start with this configuration; the message says why in one line
    (the command line prints it and exits non-zero, without a traceback)."""


def make_store(config: EmulatorConfig) -> Store:
    if config.data_dir is None:
        return MemoryStore()
    from sb_emulator.store.sqlite import SqliteStore  # sqlite3 costs start-up time: only here

    data_dir = Path(config.data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteStore(data_dir / "sb-emulator.sqlite3")
    except (OSError, StoreUnreadable) as err:
        raise StartupError(f"--data-dir {data_dir}: {_one_line(err)}") from err


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _open_emulator(config: EmulatorConfig) -> Emulator:
    """The emulator over its store; a data dir whose saved state cannot be loaded stops
    start-up with a message naming the dir and the first problem."""
    from sb_emulator.service.control import DamagedStore

    store = make_store(config)
    try:
        return Emulator(store=store, clock=make_clock(config),
                        settings=ServiceSettings(settle_timeout_s=config.settle_timeout_s))
    except (DamagedStore, StoreUnreadable) as err:
        store.close()
        raise StartupError(f"--data-dir {config.data_dir}: {_one_line(err)}") from err


def _read_import(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StartupError(f"cannot read a JSON document: {_one_line(err)}") from err


def make_clock(config: EmulatorConfig) -> Clock:
    return ManualClock() if config.clock == "manual" else RealClock()


async def build_emulator(config: EmulatorConfig) -> Emulator:
    emulator = _open_emulator(config)
    await emulator.ensure_org(config.org_id, "Default org (sb-emulator)")
    await emulator.add_key(
        config.org_id, "admin", ALL_SCOPES, key_id=config.key_id, secret=config.key_secret
    )
    await emulator.add_key(
        config.org_id,
        "production",
        PRESETS["production"],
        key_id=config.production_key_id,
        secret=config.production_key_secret,
    )
    for machines_path in config.machines:
        for definition in load_path(machines_path):
            await emulator.register_definition(config.org_id, definition)
    if config.import_file is not None:
        try:
            await emulator.import_state(_read_import(config.import_file))
        except (ApiError, StartupError) as err:
            emulator.store.close()
            raise StartupError(f"--import {config.import_file}: {_one_line(err)}") from err
    await emulator.start()
    return emulator


async def shutdown_emulator(emulator: Emulator, config: EmulatorConfig) -> None:
    if config.export_on_exit is not None:
        document = await emulator.export_state()
        Path(config.export_on_exit).write_text(json.dumps(document, indent=2), encoding="utf-8")
    await emulator.close()
