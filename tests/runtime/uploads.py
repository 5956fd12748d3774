"""The catalog's three-step upload flow, driven at the service level (API.md §4.2, §4.3)."""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from typing import Any

from sb_emulator.service import Emulator
from tests.runtime.conftest import MACHINES, ORG

VERSIONS = MACHINES / "versions"
UPLOADS = "http://127.0.0.1:1/uploads"


def code(file: str) -> bytes:
    return (VERSIONS / file).read_bytes()


def upload_id(provisional: Mapping[str, Any]) -> str:
    return str(provisional["codeUploadUrl"].rsplit("/", 1)[1])


async def upload_version(emu: Emulator, machine: str, file: str, *, make_current: bool = False,
                         gzipped: bool = False,
                         index_selectors: Mapping[str, str] | None = None) -> str:
    prov = await emu.provisionally_create_version(ORG, machine, gzipped, UPLOADS)
    body = gzip.compress(code(file)) if gzipped else code(file)
    await emu.receive_upload(upload_id(prov), prov["codeUploadFields"], body, None)
    done = await emu.finalize_version(ORG, machine, prov["machineVersionId"], file, make_current,
                                      index_selectors)
    return str(done["machineVersionId"])


async def upload_migration(emu: Emulator, machine: str, src: str, dst: str, file: str) -> str:
    prov = await emu.provisionally_create_migration(ORG, machine, src, dst, False, UPLOADS)
    await emu.receive_upload(upload_id(prov), prov["codeUploadFields"], code(file), None)
    done = await emu.finalize_migration(ORG, machine, prov["machineVersionMigrationId"])
    return str(done["machineVersionMigrationId"])
