"""The typed records read and write the JSON shapes data directories and exports hold."""

from __future__ import annotations

from sb_emulator.service.records import LogRecord, TimerRecord, TransitionRecord

TIMER = {"instance": "org/m/i", "sendId": "s1", "event": {"type": "tick"}, "dueMs": 5,
         "to": "#_parent", "attempts": 2}
LOG = {"timestampMs": 1_700_000_000_000, "orgId": "org", "machineName": "m",
       "instanceName": "i", "machineVersionId": "ver_1", "outputType": "stdout", "log": "hi"}
TRANSITION = {"createdAtMs": 7, "state": {"a": "b"}, "event": {"type": "go"}}


def test_documents_round_trip_unchanged() -> None:
    assert TimerRecord.from_json(TIMER).to_json() == TIMER
    assert LogRecord.from_json(LOG).to_json() == LOG
    assert TransitionRecord.from_json(TRANSITION).to_json() == TRANSITION


def test_a_timer_document_without_its_optional_fields_reads() -> None:
    timer = TimerRecord.from_json({"instance": "org/m/i", "sendId": "s", "dueMs": 1})
    assert (timer.event, timer.to, timer.attempts) == ({}, None, 0)


def test_a_retried_timer_keeps_everything_else() -> None:
    timer = TimerRecord.from_json(TIMER).retried(due_ms=99, attempts=3)
    assert timer.to_json() == {**TIMER, "dueMs": 99, "attempts": 3}


def test_wire_forms() -> None:
    assert LogRecord.from_json(LOG).wire()["timestamp"] == "2023-11-14T22:13:20.000Z"
    assert TransitionRecord.from_json(TRANSITION).wire() == {
        "createdAt": "1970-01-01T00:00:00.007Z", "state": {"a": "b"}, "event": {"type": "go"}}
