"""Machine versions and migrations: the three-step create flow (API.md §4.2, §4.3)."""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from sb_emulator.auth.operations import UPLOAD_PATH
from sb_emulator.errors import BadRequest
from sb_emulator.service.catalog import MAX_UNZIPPED
from sb_emulator.web.auth import org_and_auth
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.responses import json_body, json_response, optional_query, query_flag, required

routes = OperationRoutes()

MAX_FIELD_BYTES = 64 * 1024  # the form's text fields: a key, a content type, an encoding


def upload_base_url(request: web.Request) -> str:
    """Absolute URL of our own upload endpoint, as reachable by the caller (API.md §4.2.1)."""
    return f"{request.scheme}://{request.host}{UPLOAD_PATH}"


@routes.operation("listVersions")
async def list_versions(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_versions(
        org_id, request.match_info["machineSlug"], optional_query(request, "cursor")
    )
    return json_response(body)


@routes.operation("createVersion")
async def provisionally_create_version(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].provisionally_create_version(
        org_id,
        request.match_info["machineSlug"],
        query_flag(request, "gzip"),
        upload_base_url(request),
    )
    return json_response(body)


@routes.operation("finalizeVersion")
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


@routes.operation("createMigration")
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


@routes.operation("finalizeMigration")
async def finalize_migration(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    result = await request.app[EMULATOR].finalize_migration(
        org_id,
        request.match_info["machineSlug"],
        request.match_info["signedMachineVersionMigrationId"],
    )
    return json_response(result)


@routes.operation("uploadCode")
async def receive_upload(request: web.Request) -> web.Response:
    """Step 2 of the create flow: the client posts the S3-style multipart form here.

    No State Backed headers come with it (API.md §4.2.1): the upload id in the path, handed
    out at step 1, is the capability.
    """
    fields, file_bytes = await read_upload_form(request)
    await request.app[EMULATOR].receive_upload(
        request.match_info["uploadId"], fields, file_bytes, fields.get("content-encoding")
    )
    return web.Response(status=204)


async def read_upload_form(request: web.Request) -> tuple[dict[str, str], bytes | None]:
    """The form's text fields and its ``file`` part, read without trusting the sender: a
    body that is not a multipart form is a 400, and no part is read past the code limit
    (the multipart reader bypasses aiohttp's body size limit)."""
    if request.content_type != "multipart/form-data":
        raise BadRequest(f"the upload must be a multipart/form-data form, not "
                         f"{request.content_type!r}", code="invalid-upload")
    fields: dict[str, str] = {}
    file_bytes: bytes | None = None
    try:
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue  # a nested multipart: not part of the S3 form
            if part.name == "file":
                file_bytes = await _read_part(part, MAX_UNZIPPED, "the file part")
            elif part.name is not None:
                raw = await _read_part(part, MAX_FIELD_BYTES, f"form field {part.name!r}")
                fields[part.name] = raw.decode(part.get_charset("utf-8"), errors="replace")
    except (ValueError, AssertionError, LookupError) as err:
        # aiohttp's reader: a missing or wrong boundary, a malformed part (LookupError: an
        # unknown charset)
        raise BadRequest(f"the upload is not a readable multipart form: {err}",
                         code="invalid-upload") from err
    return fields, file_bytes


async def _read_part(part: BodyPartReader, limit: int, what: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk():
        data += chunk
        if len(data) > limit:
            raise BadRequest(f"{what} is over {limit} bytes; the limit is {limit}",
                             code="code-too-large")
    return bytes(data)
