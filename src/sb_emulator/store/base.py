"""The Store protocol.

The service keeps the authoritative state in memory and writes every change through a Store
in atomic batches, before it answers. A Store only has to persist documents and give them
back at start-up; reads never go to it. Collections are flat maps of key -> JSON document,
except ``transitions``, an append-only log per instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

COLLECTIONS = (
    "orgs", "keys", "idps", "token_providers", "machines", "versions", "migrations",
    "uploads", "instances", "timers", "logs",
)


class StoreUnreadable(Exception):
    """The store's files cannot be opened or read back (not a database, damaged rows)."""


@dataclass(frozen=True)
class Change:
    """One write: put or delete a document, or append a transition of an instance."""

    op: Literal["put", "delete", "append", "delete_transitions"]
    collection: str
    key: str
    value: Any = None


class Store(Protocol):
    durable: bool

    def load(self) -> dict[str, dict[str, Any]]:
        """Every collection's documents, plus ``transitions``: instance key -> list."""
        ...

    def apply(self, changes: list[Change]) -> None:
        """Write all of ``changes`` atomically (all or nothing)."""
        ...

    def replace_all(self, state: dict[str, dict[str, Any]]) -> None:
        """Replace everything (import, reset)."""
        ...

    def close(self) -> None: ...
