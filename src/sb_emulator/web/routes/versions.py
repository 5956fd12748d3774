"""Machine versions and migrations: the three-step create flow (API.md §4.2, §4.3)."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from sb_emulator.web.auth import org_and_auth, requires
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.responses import json_body, json_response, optional_query, query_flag, required

routes = web.RouteTableDef()

UPLOAD_PATH = "/_emulator/uploads"


def upload_base_url(request: web.Request) -> str:
    """Absolute URL of our own upload endpoint, as reachable by the caller (API.md §4.2.1)."""
    return f"{request.scheme}://{request.host}{UPLOAD_PATH}"


@routes.get("/machines/{machineSlug}/v")
@requires("machine-versions.read")
async def list_versions(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_versions(
        org_id, request.match_info["machineSlug"], optional_query(request, "cursor")
    )
    return json_response(body)


@routes.post("/machines/{machineSlug}/v")
@requires("machine-versions.write")
async def provisionally_create_version(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].provisionally_create_version(
        org_id,
        request.match_info["machineSlug"],
        query_flag(request, "gzip"),
        upload_base_url(request),
    )
    return json_response(body)


@routes.put("/machines/{machineSlug}/v/{signedMachineVersionId}")
@requires("machine-versions.write")
async def finalize_version(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await json_body(request)
    result = await request.app[EMULATOR].finalize_version(
        org_id,
        request.match_info["machineSlug"],
        request.match_info["signedMachineVersionId"],
        body.get("clientInfo"),
        bool(body.get("makeCurrent", False)),
        body.get("indexSelectors"),
    )
    return json_response(result)


@routes.post("/machines/{machineSlug}/migrations")
@requires("machine-versions.write")
async def provisionally_create_migration(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await json_body(request)
    result = await request.app[EMULATOR].provisionally_create_migration(
        org_id,
        request.match_info["machineSlug"],
        required(body, "fromMachineVersionId"),
        required(body, "toMachineVersionId"),
        query_flag(request, "gzip"),
        upload_base_url(request),
    )
    return json_response(result)


@routes.put("/machines/{machineSlug}/migrations/{signedMachineVersionMigrationId}")
@requires("machine-versions.write")
async def finalize_migration(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    result = await request.app[EMULATOR].finalize_migration(
        org_id,
        request.match_info["machineSlug"],
        request.match_info["signedMachineVersionMigrationId"],
    )
    return json_response(result)


@routes.post(UPLOAD_PATH + "/{uploadId}")
async def receive_upload(request: web.Request) -> web.Response:
    """Step 2 of the create flow: the client posts the S3-style multipart form here.

    No State Backed headers come with it (API.md §4.2.1): the upload id in the path, handed
    out at step 1, is the capability.
    """
    fields: dict[str, str] = {}
    file_bytes: bytes | None = None
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            file_bytes = await part.read(decode=False)
        elif part.name is not None:
            fields[part.name] = await part.text()
    await request.app[EMULATOR].receive_upload(
        request.match_info["uploadId"], fields, file_bytes, fields.get("content-encoding")
    )
    return web.Response(status=204)
