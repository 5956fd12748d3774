"""A machine without public context: its updates must still carry publicContext {}."""

from typing import Any

name = "bare"
version = "1.0.0"

machine = {
    "id": "bare",
    "initial": "a",
    "states": {"a": {"on": {"go": "b"}}, "b": {"on": {"go": "a"}}},
}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
