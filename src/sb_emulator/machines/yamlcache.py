"""A cache of parsed YAML definitions, so that start-up does not need ruamel.yaml.

Importing ruamel.yaml and parsing a definition in round-trip mode (the mode that keeps line
numbers and ``!cel`` tags) is a large share of a test session's start-up, paid again for the
same files every session. The parsed document of a file that loaded without a problem is
therefore kept as JSON under the SHA-256 of its text, in the user's cache directory
(``$XDG_CACHE_HOME/sb-emulator``, else ``~/.cache/sb-emulator``), and read back instead of
parsing. The cache is content-addressed, so an edited file simply misses it.

What the cache keeps is only what the loader reads on the success path: mappings, lists,
scalars and ``!cel`` tagged scalars. A file is not cached when its document holds anything
else (timestamps, sets, keys that are not text or numbers), or when the document read back
would not be the document parsed: the loader then parses it, as without a cache. Line
numbers are not kept: a cached document that fails to load is parsed again for the
messages (see ``yamlload.load_yaml_definition``).

The folder is named after the cache format and the emulator's version (``yaml-2-0.1.0``): a
new release may check more at parse time (``yamlguard``), so it never trusts what an older
one parsed; the folders of other versions are removed when an entry is written. The cache
is bounded: after each write, the least recently used entries (by modification time, which
a cache hit refreshes) beyond ``MAX_ENTRIES`` or ``MAX_BYTES`` are removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sb_emulator import __version__
from sb_emulator.machines.tags import plain_scalar

# Bumped whenever the encoding below changes, so old entries are never misread.
FORMAT = "2"
# A test session loads tens of definitions; a few hundred cover every project of a machine.
MAX_ENTRIES = 256
MAX_BYTES = 32 * 2**20
_TAG_KEY = "\u0000tag"  # a key no YAML mapping of a valid definition holds (checked on store)

log = logging.getLogger(__name__)


class CachedTag:
    """A tagged scalar read back from the cache: what ``tags.untag`` reads of ruamel's
    ``TaggedScalar`` (its ``tag`` and ``value``, and ``str()`` giving the value)."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: str):
        self.tag = tag
        self.value = value

    def __str__(self) -> str:
        return self.value


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sb-emulator" / f"yaml-{FORMAT}-{__version__}"


def _entry(text: str) -> Path:
    return cache_dir() / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.json"


def load(text: str) -> Any | None:
    """The cached document for this text, or None (never cached, damaged, unreadable)."""
    entry = _entry(text)
    try:
        encoded = json.loads(entry.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    try:
        os.utime(entry)  # recently used: pruned last
    except OSError as err:  # read-only cache: still a hit
        log.debug("cannot mark %s as used: %s", entry, err)
    return _decode(encoded)


def store(text: str, document: Any) -> None:
    """Remember the parsed document of a definition that loaded without a problem."""
    try:
        encoded = _encode(document)
    except _NotCacheable as err:
        log.debug("not caching a definition holding %s: it is parsed each time", err)
        return
    if _plain(_decode(encoded)) != _plain(document):
        return  # read back it would differ: this file is parsed each time
    entry = _entry(text)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: parallel test workers never read a half-written entry
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(encoded, out)
        os.replace(temporary, entry)
    except OSError as err:  # a read-only home: the file is parsed each time, nothing else
        log.debug("cannot cache the parsed definition: %s", err)
        return
    try:
        prune(entry.parent)
    except OSError as err:  # a cache we cannot prune is a bigger cache, not a failed load
        log.debug("cannot prune the definition cache: %s", err)


def prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES most recently used entries within MAX_BYTES; remove the
    folders of other versions and formats. Another process may prune at the same time:
    an entry already gone is fine."""
    entries = []
    for path in folder.glob("*.json"):
        try:
            stat = path.stat()
        except OSError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort(reverse=True)  # newest first
    kept_bytes = 0
    for count, (_mtime, size, path) in enumerate(entries, 1):
        kept_bytes += size
        if count > MAX_ENTRIES or kept_bytes > MAX_BYTES:
            path.unlink(missing_ok=True)
    for other in folder.parent.glob("yaml-*"):
        if other != folder and other.is_dir():
            shutil.rmtree(other, onerror=_log_removal_error)  # another version's: stale


def _log_removal_error(function: Any, path: str, error: Any) -> None:
    log.debug("cannot remove the stale cache entry %s: %s", path, error[1])


def _plain(document: Any) -> str:
    """The document as the schema check sees it (``yamlload._check_schema``)."""
    return json.dumps(document, default=str)


class _NotCacheable(Exception):
    """The document holds something the encoding cannot carry exactly."""


def _encode(node: Any) -> Any:
    """JSON for the document; raises _NotCacheable for anything but the kinds listed above."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(tag, str) and tag.startswith("!"):
        value = getattr(node, "value", None)
        if isinstance(node, (dict, list)) or not isinstance(value, str):
            raise _NotCacheable(tag)
        return {_TAG_KEY: tag, "value": value}
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            name = _key(key)
            if name is None or name.startswith("\u0000"):
                raise _NotCacheable(repr(key))
            out[name] = _encode(value)
        return out
    if isinstance(node, list):
        return [_encode(item) for item in node]
    if node is None or isinstance(node, (bool, int, float, str)):
        return plain_scalar(node)
    raise _NotCacheable(type(node).__name__)


def _key(key: Any) -> str | None:
    """A mapping key as text, when the loader's ``str(key)`` and JSON's agree (text, whole
    numbers, decimals); None otherwise (``true:``, ``null:`` as keys)."""
    if isinstance(key, bool) or not isinstance(key, (str, int, float)):
        return None
    text = str(key)
    return text if text == json.loads(json.dumps({key: 0})).popitem()[0] else None


def _decode(node: Any) -> Any:
    if isinstance(node, dict):
        if _TAG_KEY in node:
            return CachedTag(str(node[_TAG_KEY]), str(node["value"]))
        return {key: _decode(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decode(item) for item in node]
    return node
