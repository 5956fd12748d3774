"""Uploaded migrations are read by the machines package's one parser
(``load_migration_text``): checked when finalised, with file:line messages, and read once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sb_emulator.errors import ApiError, BadRequest, MachineImplementationError
from sb_emulator.service import Emulator, migrations
from tests.runtime.conftest import ORG, USER, all_transitions, context_of
from tests.runtime.uploads import UPLOADS, code, upload_id, upload_migration, upload_version


async def finalize_text(emu: Emulator, src: str, dst: str, text: str) -> dict[str, Any]:
    prov = await emu.provisionally_create_migration(ORG, "doc", src, dst, False, UPLOADS)
    await emu.receive_upload(upload_id(prov), prov["codeUploadFields"], text.encode(), None)
    return await emu.finalize_migration(ORG, "doc", prov["machineVersionMigrationId"])


async def in_review(emu: Emulator, name: str = "d") -> str:
    """An instance of `doc` version 1 in `review`; returns version 1's id."""
    await emu.create_instance(ORG, "doc", name, None, None, USER)
    await emu.send_event(ORG, "doc", name, "submit", USER)
    return str((await emu.admin_state(ORG, "doc", name))["machineVersion"]["id"])


async def test_a_migration_to_a_state_the_target_lacks_is_refused_at_upload(emu: Emulator
                                                                           ) -> None:
    v1 = await in_review(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    v3 = await upload_version(emu, "doc", "doc-3.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    text = code("doc-2-to-3-unknown-state.yaml").decode()
    with pytest.raises(BadRequest) as raised:
        await finalize_text(emu, v2, v3, text)
    assert raised.value.code == "invalid-definition"
    assert raised.value.message == (
        "the uploaded migration is invalid:\n"
        f"doc.migration.yaml:3: upgradeState.review: unknown state \"nowhere\"; expected the "
        f"dotted path of a state of version {v3}")
    assert [m.from_version for m in emu.docs["migrations"].values()] == [v1]


@pytest.mark.parametrize(("text", "problem"), [
    ("upgradeState:\n  review: checking\nupgradeContxt:\n  edits: '1'\n",
     'doc.migration.yaml:1: unknown key "upgradeContxt"; expected one of upgradeContext, '
     'upgradeState (did you mean "upgradeContext"?)'),
    ("upgradeContext:\n  edits:\n    context.edits +\n",
     'doc.migration.yaml:2: upgradeContext.edits: invalid CEL expression "context.edits +": '
     'unexpected end of expression at column 16; expected a value, a variable or an operator '
     'to continue the expression'),
    ("upgradeState: [review]\n",
     "doc.migration.yaml:1: upgradeState: got [\"review\"]; expected a mapping"),
])
async def test_invalid_migrations_are_refused_with_file_and_line(emu: Emulator, text: str,
                                                                 problem: str) -> None:
    v1 = await in_review(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    with pytest.raises(BadRequest) as raised:
        await finalize_text(emu, v1, v2, text)
    assert raised.value.message == "the uploaded migration is invalid:\n" + problem
    assert emu.docs["migrations"] == {}


async def test_a_stored_migration_that_is_invalid_fails_when_applied(emu: Emulator) -> None:
    """A migration stored before uploads were checked (an older data folder, an import)."""
    v1 = await in_review(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    migration_id = await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    stored = emu.docs["migrations"][migration_id]
    emu.persist([emu.put_record("migrations", migration_id,
                                replace(stored, text="upgradeState: 3\n"))])
    await emu.set_desired_version(ORG, "doc", "d", v2)
    history = await all_transitions(emu, "doc", "d")
    with pytest.raises(MachineImplementationError) as raised:
        await emu.send_event(ORG, "doc", "d", "approve", USER)
    assert raised.value.message == (
        f"migration {migration_id} (from {v1} to {v2}) is invalid:\n"
        f"doc.migration.yaml:1: upgradeState: got 3; expected a mapping")
    assert await all_transitions(emu, "doc", "d") == history


async def test_a_migration_failing_on_a_context_is_a_machine_failure(emu: Emulator) -> None:
    v1 = await in_review(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    await finalize_text(emu, v1, v2, "upgradeContext:\n  edits: context.reviewers * 2\n")
    await emu.set_desired_version(ORG, "doc", "d", v2)
    with pytest.raises(ApiError) as raised:
        await emu.send_event(ORG, "doc", "d", "approve", USER)
    assert (raised.value.status, raised.value.code) == (500, "machine-implementation-error")
    assert 'no key "reviewers"' in raised.value.message
    assert (await context_of(emu, "doc", "d"))["edits"] == 0


async def test_each_migration_is_read_once_when_applied(emu: Emulator,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    v1 = await in_review(emu, "a")
    await in_review(emu, "b")
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    reads: list[str] = []
    real = migrations.load_migration_text

    def counting(text: str, source: str, *args: Any) -> Any:
        reads.append(source)
        return real(text, source, *args)

    monkeypatch.setattr(migrations, "load_migration_text", counting)
    for name in ("a", "b"):
        await emu.set_desired_version(ORG, "doc", name, v2)
        assert (await emu.send_event(ORG, "doc", name, "publish", USER))["state"] == "published"
    assert reads == ["doc.migration.yaml"]
