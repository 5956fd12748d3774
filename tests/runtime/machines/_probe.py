"""What the Python services of the test machines report to the tests (not a definition:
``load_path`` skips files starting with ``_``)."""

import asyncio
from typing import Any

SERVICE_EVENTS: list[str] = []

# (machine name, allowWrite request) for every call of the family machines' authorizers
AUTHORIZED: list[tuple[str, dict[str, Any]]] = []

# the duet machine's two services hand over through these (made by the first call of a run)
DUET: tuple[asyncio.Event, asyncio.Event] | None = None
