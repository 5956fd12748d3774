"""Known emulator bugs the contract suite finds, reported to the lead and marked here.

Each entry names the failing test and the bug; delete it with the fix. The marks cannot be
strict: schemathesis' pytest plugin crashes (INTERNALERROR in its makereport hook) on a strict
XPASS, so a fixed bug shows up as XPASS in the summary (``-rX``) instead of failing the run.
"""

from __future__ import annotations

import pytest

KNOWN_BUGS: dict[str, str] = {}  # none known today


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.name in KNOWN_BUGS:
            item.add_marker(pytest.mark.xfail(reason=KNOWN_BUGS[item.name]))
