"""The default store: nothing to persist, the service's memory is the state."""

from __future__ import annotations

from typing import Any

from sb_emulator.store.base import Change


class MemoryStore:
    durable = False

    def load(self) -> dict[str, dict[str, Any]]:
        return {}

    def apply(self, changes: list[Change]) -> None:
        return None

    def replace_all(self, state: dict[str, dict[str, Any]]) -> None:
        return None

    def close(self) -> None:
        return None
