"""What the Python services of the test machines report to the tests (not a definition:
``load_path`` skips files starting with ``_``)."""

from typing import Any

SERVICE_EVENTS: list[str] = []

# (machine name, allowWrite request) for every call of the family machines' authorizers
AUTHORIZED: list[tuple[str, dict[str, Any]]] = []
