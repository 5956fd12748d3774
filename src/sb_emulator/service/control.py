"""Start-up, shutdown, reset, export and import of the whole state."""

from __future__ import annotations

import copy
from typing import Any

from sb_emulator.errors import BadRequest
from sb_emulator.service.core import Instance
from sb_emulator.service.timers import TimersMixin
from sb_emulator.store.base import COLLECTIONS

EXPORT_FORMAT = "sb-emulator-state/1"


class ControlMixin(TimersMixin):
    _bootstrap: dict[str, Any] | None = None

    def load_from_store(self) -> None:
        loaded = self.store.load()
        if loaded:
            self._install(loaded, persist=False)

    def mark_bootstrap(self) -> None:
        """Remember the state after start-up: ``reset`` returns to it."""
        self._bootstrap = self._document()

    async def start(self) -> None:
        if self._bootstrap is None:
            self.mark_bootstrap()
        self.start_timer_loop()

    async def close(self) -> None:
        await self.stop_timer_loop()
        self.store.close()

    async def reset(self) -> None:
        """Back to the state right after start-up: drops instances, timers, logs, and whatever
        was created over the API."""
        assert self._bootstrap is not None
        self._install(self._bootstrap, persist=self.store.durable)

    async def export_state(self) -> dict[str, Any]:
        return {"format": EXPORT_FORMAT, **copy.deepcopy(self._document())}

    async def import_state(self, document: dict[str, Any]) -> None:
        if document.get("format") != EXPORT_FORMAT:
            raise BadRequest(f"not an sb-emulator export (format must be {EXPORT_FORMAT!r})",
                             code="invalid-import")
        self._install({k: v for k, v in document.items() if k != "format"},
                      persist=self.store.durable)

    def _document(self) -> dict[str, Any]:
        docs = {name: dict(self.docs[name]) for name in COLLECTIONS if name != "instances"}
        docs["instances"] = {key: inst.to_json() for key, inst in self.instances.items()}
        docs["transitions"] = {key: list(items) for key, items in self.transitions.items()}
        return docs

    def _install(self, state: dict[str, Any], *, persist: bool) -> None:
        for name in COLLECTIONS:
            self.docs[name] = copy.copy(state.get(name) or {})
        self.instances = {key: Instance.from_json(doc)
                          for key, doc in (state.get("instances") or {}).items()}
        self.docs["instances"] = {}
        self.transitions = {key: list(items) for key, items in (state.get("transitions") or {}).items()}
        self.definitions = {vid: d for vid, d in self.definitions.items() if vid in self.docs["versions"]}
        self.listeners = {}
        self._timer_heap = None
        if persist:
            self.store.replace_all({**{n: self.docs[n] for n in COLLECTIONS},
                                    "instances": {k: i.to_json() for k, i in self.instances.items()},
                                    "transitions": self.transitions})
