"""A pure reimplementation of XState v4 (4.38) semantics.

``Machine(config, Implementations(...))`` compiles a config once; ``initial(machine, context)``
and ``transition(machine, snapshot, event)`` return ``(snapshot, effects)`` with no I/O, no
clock and no randomness. See docs/CONTRACTS.md §1.
"""

from sb_emulator.engine import actions
from sb_emulator.engine.effects import (
    CancelEvent,
    Effect,
    ExecuteAction,
    Log,
    ScheduleEvent,
    SendEvent,
    StartService,
    StopService,
)
from sb_emulator.engine.errors import MachineConfigError, MachineLoopError
from sb_emulator.engine.model import GuardMeta, Implementations, Machine
from sb_emulator.engine.snapshot import Snapshot
from sb_emulator.engine.step import initial, snapshot_at, transition

__all__ = [
    "CancelEvent",
    "Effect",
    "ExecuteAction",
    "GuardMeta",
    "Implementations",
    "Log",
    "Machine",
    "MachineConfigError",
    "MachineLoopError",
    "ScheduleEvent",
    "SendEvent",
    "Snapshot",
    "StartService",
    "StopService",
    "actions",
    "initial",
    "snapshot_at",
    "transition",
]
