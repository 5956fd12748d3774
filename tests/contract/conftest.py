"""Known emulator bugs the contract suite finds, reported to the lead and marked here.

Each entry names the failing test and the bug; delete it with the fix. The marks cannot be
strict: schemathesis' pytest plugin crashes (INTERNALERROR in its makereport hook) on a strict
XPASS, so a fixed bug shows up as XPASS in the summary (``-rX``) instead of failing the run.
"""

from __future__ import annotations

import pytest

LOGS_YEAR = (
    "clock bug: ISO timestamps of years < 1000 are not zero-padded like JS toISOString "
    "(GET /logs?from=0276-04-20T09:56:41.2Z answers maxTimestamp '276-04-20T09:56:41.200Z', "
    "which strict response validation turns into a 500)"
)

KNOWN_BUGS: dict[str, str] = {
    "test_operation_conforms[GET /logs]": LOGS_YEAR,
    # Sequences of calls reach GET /logs with an early year in some runs, not in all.
    "test_stateful_sequences_conform": LOGS_YEAR,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.name in KNOWN_BUGS:
            item.add_marker(pytest.mark.xfail(reason=KNOWN_BUGS[item.name]))
