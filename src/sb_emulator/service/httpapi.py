"""The HTTP API feature: plain HTTP requests mapped to machine events (API.md §8)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, Protocol

from sb_emulator.budget import BudgetExceeded
from sb_emulator.errors import BadRequest, MachineImplementationError, NotFound
from sb_emulator.service.core import EmulatorCore, Instance
from sb_emulator.service.http_response_check import check_headers, check_status
from sb_emulator.service.names import describe_bad_name, is_valid_name
from sb_emulator.service.payload_limits import check_client_event

FALLBACK = (200, {"content-type": "application/json"}, {"ok": True})


class HttpApiHandlerFailed(BadRequest):
    default_code = "http-api-handler-failed"


async def _call(fn: Any, arg: dict[str, Any]) -> Any:
    result = fn(arg)
    return await result if inspect.isawaitable(result) else result


class InstanceCreation(Protocol):
    async def create_instance(self, org_id: str, machine: str, slug: str, context: Any,
                              version_id: str | None, auth_context: dict[str, Any]
                              ) -> dict[str, Any]: ...


class Delivery(Protocol):
    """What the HTTP API needs of the runner."""

    async def deliver(self, inst: Instance, event: Any, auth_context: dict[str, Any] | None
                      ) -> dict[str, Any]: ...

    def add_log(self, inst: Instance, text: str, output_type: str) -> None: ...


class HttpApi:
    """Plain HTTP requests to a machine's ``httpApiMapper`` endpoints, as events."""

    def __init__(self, core: EmulatorCore, instance_ops: InstanceCreation, runner: Delivery
                 ) -> None:
        self.core = core
        self.instance_ops = instance_ops
        self.runner = runner

    async def handle_http_api(self, org_id: str, machine: str, slug: str,
                              request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        if self.core.org(org_id) is None:
            raise NotFound(f"org {org_id!r} does not exist")
        current = self.core.machine_record(org_id, machine).current_version
        if not current:
            raise NotFound(f"machine {machine!r} has no current version")
        endpoint = self.core.runtime_of(current).http_endpoint(slug)
        if endpoint is None:
            raise NotFound(f"machine {machine!r} has no HTTP API endpoint {slug!r}")
        try:
            out = await _call(endpoint.handler, request)
        except BudgetExceeded:  # the machine's code, not the request, is at fault
            raise
        except Exception as err:
            raise HttpApiHandlerFailed(f"the {slug!r} handler rejected the request: {err}") from err
        name, event, auth_context = _handler_output(out, slug)
        check_client_event(event)
        inst = self.core.instances.get(f"{org_id}/{machine}/{name}")
        if inst is None:
            initial_context = out.get("initialContext")
            if initial_context is None:
                raise NotFound(f"instance {name!r} does not exist and the {slug!r} handler "
                               f"returned no initialContext to create it")
            await self.instance_ops.create_instance(org_id, machine, name, initial_context, None,
                                                    auth_context)
            inst = self.core.instance(org_id, machine, name)
        await self.runner.deliver(inst, event, auth_context)
        snap = inst.snapshot
        mapper_input = {"state": snap.value, "context": snap.context,
                        "result": snap.output if snap.done else None}
        try:
            response = await _call(endpoint.response_mapper, mapper_input)
            if not isinstance(response, Mapping):
                raise TypeError("responseMapper must return {statusCode, headers, body}")
        except BudgetExceeded:
            raise
        except Exception as err:  # API.md §8.3 #7: the documented fallback
            self.runner.add_log(inst, f"responseMapper of {slug!r} raised {type(err).__name__}: {err}; "
                               f"answered 200 {{\"ok\": true}}", "stderr")
            return FALLBACK
        try:
            return checked_response(response)
        except ValueError as err:
            # the mapper returned, but nothing HTTP can carry: the machine's code is at fault,
            # and sending it would corrupt the status line or split the headers
            message = f"the responseMapper of {slug!r} returned an invalid response: {err}"
            self.runner.add_log(inst, message, "stderr")
            raise MachineImplementationError(message) from err


def _handler_output(out: Any, slug: str) -> tuple[str, Any, dict[str, Any]]:
    if not isinstance(out, Mapping):
        raise HttpApiHandlerFailed(f"the {slug!r} handler must return an object")
    name, event, auth_context = out.get("machineInstanceName"), out.get("event"), out.get("authContext")
    if name is None or name == "":
        raise HttpApiHandlerFailed(f"the {slug!r} handler returned no machineInstanceName")
    if not is_valid_name(name):  # the rule REST paths enforce (API.md §1.3)
        raise HttpApiHandlerFailed(f"the {slug!r} handler returned an invalid "
                                   f"machineInstanceName: {describe_bad_name(name)}")
    if event is None:
        raise HttpApiHandlerFailed(f"the {slug!r} handler returned no event")
    if not isinstance(auth_context, Mapping):
        raise HttpApiHandlerFailed(f"the {slug!r} handler returned no authContext object")
    return name, event, dict(auth_context)


def checked_response(response: Any) -> tuple[int, dict[str, str], Any]:
    """``(status, headers, body)`` of a response mapper's output; ``ValueError`` naming what
    HTTP cannot carry (see :mod:`sb_emulator.service.http_response_check`)."""
    status = check_status(response.get("statusCode", 200))
    return status, check_headers(response.get("headers")), response.get("body")
