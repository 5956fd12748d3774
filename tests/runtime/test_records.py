"""The typed records read and write the JSON shapes data directories and exports hold."""

from __future__ import annotations

from sb_emulator.service.records import (
    LogRecord,
    MachineRecord,
    MigrationRecord,
    TimerRecord,
    TransitionRecord,
    UploadRecord,
    VersionRecord,
)

TIMER = {"instance": "org/m/i", "sendId": "s1", "event": {"type": "tick"}, "dueMs": 5,
         "to": "#_parent", "attempts": 2}
LOG = {"timestampMs": 1_700_000_000_000, "orgId": "org", "machineName": "m",
       "instanceName": "i", "machineVersionId": "ver_1", "outputType": "stdout", "log": "hi"}
TRANSITION = {"createdAtMs": 7, "state": {"a": "b"}, "event": {"type": "go"}}
MACHINE = {"org": "org", "slug": "m", "createdAtMs": 3, "indexes": ["owner"],
           "currentVersion": "ver_1"}
VERSION = {"id": "ver_1", "org": "org", "machine": "m", "createdAtMs": 4, "clientInfo": "1.0",
           "source": {"kind": "yaml", "text": "id: m", "digest": "ab"},
           "indexSelectors": {"owner": "$.owner"}}
MIGRATION = {"id": "mig_1", "org": "org", "machine": "m", "from": "ver_1", "to": "ver_2",
             "createdAtMs": 5, "text": "upgradeState: {}\n"}
FROM_DEFINITION = {**{k: v for k, v in MIGRATION.items() if k != "text"}, "fromDefinition": True}
PROVISIONAL = {"kind": "migration", "org": "org", "machine": "m", "gzip": False, "code": None,
               "from": "ver_1", "to": "ver_2"}
UPLOADED = {"kind": "version", "org": "org", "machine": "m", "gzip": True, "code": "id: m",
            "codeKind": "yaml"}


def test_documents_round_trip_unchanged() -> None:
    assert TimerRecord.from_json(TIMER).to_json() == TIMER
    assert LogRecord.from_json(LOG).to_json() == LOG
    assert TransitionRecord.from_json(TRANSITION).to_json() == TRANSITION
    assert MachineRecord.from_json(MACHINE).to_json() == MACHINE
    assert VersionRecord.from_json(VERSION).to_json() == VERSION
    for doc in (MIGRATION, FROM_DEFINITION):
        assert MigrationRecord.from_json(doc).to_json() == doc
    for doc in (PROVISIONAL, UPLOADED):
        assert UploadRecord.from_json(doc).to_json() == doc


def test_documents_keep_their_member_order() -> None:
    """Exports and data directories are written in the records' order: the one they had."""
    for record, doc in ((MachineRecord, MACHINE), (VersionRecord, VERSION),
                        (MigrationRecord, MIGRATION), (UploadRecord, PROVISIONAL)):
        assert list(record.from_json(doc).to_json()) == list(doc)


def test_an_upload_receiving_its_code_keeps_everything_else() -> None:
    upload = UploadRecord.from_json(PROVISIONAL)
    received = upload.with_code("upgradeState: {}\n", "yaml")
    assert received.to_json() == {**PROVISIONAL, "code": "upgradeState: {}\n", "codeKind": "yaml"}
    assert list(received.to_json())[-1] == "codeKind"
    assert upload.code is None and upload.code_kind is None


def test_migration_and_upload_documents_without_their_optional_fields_read() -> None:
    bare = {k: v for k, v in MIGRATION.items() if k != "text"}
    migration = MigrationRecord.from_json(bare)
    assert (migration.text, migration.from_definition) == (None, False)
    assert migration.to_json() == bare
    upload = UploadRecord.from_json({"kind": "version", "org": "org", "machine": "m"})
    assert (upload.gzip, upload.code, upload.from_version, upload.code_kind) == (
        False, None, None, None)


def test_machine_and_version_documents_without_their_optional_fields_read() -> None:
    machine = MachineRecord.from_json({k: v for k, v in MACHINE.items() if k != "currentVersion"})
    assert machine.current_version is None
    assert machine.to_json() == {**MACHINE, "currentVersion": None}
    bare = {k: v for k, v in VERSION.items() if k not in ("clientInfo", "indexSelectors")}
    version = VersionRecord.from_json(bare)
    assert (version.client_info, version.index_selectors) == ("", {})
    assert version.to_json() == {**bare, "clientInfo": "", "indexSelectors": {}}


def test_a_machine_made_current_keeps_everything_else() -> None:
    machine = MachineRecord.from_json({**MACHINE, "currentVersion": None})
    assert machine.with_current("ver_2").to_json() == {**MACHINE, "currentVersion": "ver_2"}
    widened = machine.with_current("ver_2", ["owner", "team"])
    assert widened.to_json() == {**MACHINE, "currentVersion": "ver_2", "indexes": ["owner", "team"]}
    assert machine.current_version is None and machine.indexes == ["owner"]


def test_records_do_not_share_the_documents_lists() -> None:
    doc = {**MACHINE, "indexes": ["owner"]}
    machine = MachineRecord.from_json(doc)
    machine.to_json()["indexes"].append("x")
    doc["indexes"].append("y")
    assert machine.indexes == ["owner"]


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
