"""What a caller may write into an instance: event size and type, and JSON nesting depth.

Whatever the API accepts is stored, exported and imported again, so it must stay within
what every JSON encoder and decoder on that path handles (``orjson`` stops at 255 levels,
``copy.deepcopy`` and the pure-Python encoder at Python's recursion limit). Emulator choices
(State Backed documents no limit for either):

* nesting: at most ``MAX_NESTING_DEPTH`` levels of objects and arrays, in an event, an
  initial context, or the context a transition leaves (an ``assign``);
* events from callers: at most ``MAX_EVENT_BYTES`` as compact UTF-8 JSON, the size the
  context may have (an event's payload is there to be assigned into it);
* the event type ``"*"`` is XState's wildcard in transitions, never an event.
"""

from __future__ import annotations

from typing import Any

import orjson

from sb_emulator import jsontext
from sb_emulator.errors import BadRequest, InvalidParameter

MAX_NESTING_DEPTH = 64
MAX_EVENT_BYTES = 400_000
WILDCARD_EVENT = "*"


class TooDeeplyNested(BadRequest):
    default_code = "too-deeply-nested"


class EventTooLarge(BadRequest):
    default_code = "event-too-large"


_CONTAINERS = (dict, list, tuple)
_OPTIONS = orjson.OPT_NON_STR_KEYS  # as jsontext writes


def nesting_exceeds(value: Any, limit: int = MAX_NESTING_DEPTH) -> bool:
    """Whether ``value`` has more than ``limit`` levels of dicts/lists (a scalar has 0, ``{}``
    has 1). Level by level, without recursion: the value may be nested far deeper than the
    interpreter's stack."""
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, _CONTAINERS)]
    return False


def check_nesting(value: Any, what: str, name: str | None = None) -> None:
    """400 ``too-deeply-nested`` naming ``what`` (followed by ``name``, quoted: the message
    is only built on failure) and the limit."""
    if nesting_exceeds(value):
        subject = what if name is None else f"{what} {name!r}"
        raise TooDeeplyNested(f"{subject} is nested more than {MAX_NESTING_DEPTH} levels "
                              f"deep; the limit is {MAX_NESTING_DEPTH}")


def checked_json_size(value: Any, what: str, name: str | None = None) -> int:
    """``jsontext.size(value)``, after :func:`check_nesting`. This runs on every transition
    (the context) and event: the JSON text is made anyway for the size, a text with at most
    ``MAX_NESTING_DEPTH`` opening brackets cannot nest deeper, and a larger value is walked
    only when :func:`may_nest_past` cannot rule it out."""
    try:
        encoded = orjson.dumps(value, default=str, option=_OPTIONS)
    except orjson.JSONEncodeError:  # over orjson's own depth limit, or a huge integer
        check_nesting(value, what, name)  # first: the fallback encoder recurses
        return jsontext.size(value)
    if encoded.count(b"{") + encoded.count(b"[") > MAX_NESTING_DEPTH and \
            may_nest_past(value, MAX_NESTING_DEPTH):
        check_nesting(value, what, name)
    return len(encoded)


def may_nest_past(value: Any, limit: int) -> bool:
    """False when ``value`` surely nests at most ``limit`` levels; True when it may not.

    Fast (one C-speed pass, about the cost of encoding the value): indented JSON puts each
    member of a container at depth ``d`` on its own line, indented ``2 * d`` spaces, and no
    string holds a raw newline. A container past ``limit`` levels is a member of one at
    depth ``limit``, so its line is indented at least ``2 * limit``."""
    indented = orjson.dumps(value, default=str, option=_OPTIONS | orjson.OPT_INDENT_2)
    return b"\n" + b" " * (2 * limit) in indented


def check_client_event(event: Any) -> None:
    """The checks on an event a caller sends (REST, HTTP API handler output), before it is
    delivered: not the wildcard, not too deep, not too large."""
    event_type = event if isinstance(event, str) else \
        event.get("type") if isinstance(event, dict) else None
    if event_type == WILDCARD_EVENT:
        raise InvalidParameter("event", "'*' is XState's wildcard for transitions, not an "
                                        "event type")
    size = checked_json_size(event, "the event")
    if size > MAX_EVENT_BYTES:
        raise EventTooLarge(f"the event is {size} bytes as JSON; the limit is {MAX_EVENT_BYTES}")
