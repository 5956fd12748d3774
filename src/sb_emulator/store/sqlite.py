"""SQLite persistence (``--data-dir``): WAL mode, one transaction per batch of changes.

A batch is committed before the service answers the request that caused it, so an
acknowledged transition survives a crash of the emulator.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sb_emulator import jsontext
from sb_emulator.store.base import COLLECTIONS, Change, StoreUnreadable

# Each transition writes one instance document and appends one transition row in one
# transaction, so the schema keeps the pages a commit touches few: documents live in their
# primary-key b-tree (WITHOUT ROWID, no separate index), and transitions take plain rowids
# (AUTOINCREMENT would update sqlite_sequence on every append; a new rowid is still above all
# rows present, which is all the ordering needs). Data directories made with the earlier
# schema (rowid documents, AUTOINCREMENT) keep it and work the same.
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (collection, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transitions (
    seq INTEGER PRIMARY KEY,
    instance TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_by_instance ON transitions (instance, seq);
"""

# An upsert rewrites the row in place; INSERT OR REPLACE deletes it and inserts it again.
PUT = ("INSERT INTO documents VALUES (?, ?, ?) "
       "ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value")


def _text(value: Any) -> str:
    """A document as stored: compact JSON text (an instance's, on every transition)."""
    return jsontext.encode(value).decode("utf-8")


def _stored_json(value: Any, where: str) -> Any:
    try:
        return jsontext.decode(value)
    except (ValueError, TypeError) as err:
        raise StoreUnreadable(f"the stored document {where} is not JSON ({err})") from err


class SqliteStore:
    durable = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as err:
            raise StoreUnreadable(f"{self.path} is not a usable SQLite database ({err})") from err

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            return self._load()
        except sqlite3.Error as err:
            raise StoreUnreadable(f"{self.path} cannot be read ({err})") from err

    def _load(self) -> dict[str, dict[str, Any]]:
        state: dict[str, dict[str, Any]] = {name: {} for name in COLLECTIONS}
        for collection, key, value in self.db.execute("SELECT collection, key, value FROM documents"):
            state.setdefault(collection, {})[key] = _stored_json(value, f"{collection}[{key!r}]")
        transitions: dict[str, Any] = {}
        for instance, value in self.db.execute(
                "SELECT instance, value FROM transitions ORDER BY seq"):
            transitions.setdefault(instance, []).append(
                _stored_json(value, f"a transition of {instance!r}"))
        state["transitions"] = transitions
        return state

    def apply(self, changes: list[Change]) -> None:
        if not changes:
            return
        cur = self.db.cursor()
        cur.execute("BEGIN")
        try:
            for change in changes:
                self._apply_one(cur, change)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _apply_one(self, cur: sqlite3.Cursor, change: Change) -> None:
        if change.op == "put":
            cur.execute(PUT, (change.collection, change.key, _text(change.value)))
        elif change.op == "delete":
            cur.execute("DELETE FROM documents WHERE collection = ? AND key = ?",
                        (change.collection, change.key))
        elif change.op == "append":
            cur.execute("INSERT INTO transitions (instance, value) VALUES (?, ?)",
                        (change.key, _text(change.value)))
        elif change.op == "delete_transitions":
            cur.execute("DELETE FROM transitions WHERE instance = ?", (change.key,))

    def replace_all(self, state: dict[str, dict[str, Any]]) -> None:
        cur = self.db.cursor()
        cur.execute("BEGIN")
        try:
            cur.execute("DELETE FROM documents")
            cur.execute("DELETE FROM transitions")
            for collection, docs in state.items():
                if collection == "transitions":
                    for instance, items in docs.items():
                        cur.executemany("INSERT INTO transitions (instance, value) VALUES (?, ?)",
                                        [(instance, _text(v)) for v in items])
                    continue
                cur.executemany("INSERT INTO documents VALUES (?, ?, ?)",
                                [(collection, k, _text(v)) for k, v in docs.items()])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()
