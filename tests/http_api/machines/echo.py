"""A Python machine whose HTTP API endpoints show what the handler and the mapper receive.

Every endpoint targets instance ``?i=`` (default ``e1``), creating it when missing; writes are
allowed only when the caller sent ``x-ok: yes`` (the handler turns that into authContext).
"""

import asyncio
from typing import Any

from sb_emulator.actions import assign

name = "echo"
version = "1.0.0"

machine = {
    "id": "echo",
    "initial": "idle",
    "context": {"calls": 0, "last": None},
    "states": {
        "idle": {"on": {"call": {"actions": "record"}, "finish": "done"}},
        "done": {"type": "final", "data": lambda ctx, ev: {"calls": ctx["calls"]}},
    },
}

actions = {
    "record": assign(
        {"calls": lambda ctx, ev: ctx["calls"] + 1, "last": lambda ctx, ev: ev["request"]}
    ),
}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return request["authContext"].get("ok") is True


def target(request: dict[str, Any], event_type: str = "call") -> dict[str, Any]:
    return {
        "machineInstanceName": request["query"].get("i", "e1"),
        "event": {"type": event_type, "request": request},
        "authContext": {"ok": request["headers"].get("x-ok") == "yes"},
        "initialContext": {"calls": 0, "last": None},
    }


def echo_mapper(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": 201,
        "headers": {"x-calls": str(result["context"]["calls"]), "Content-Type": "application/json"},
        "body": result["context"]["last"],
    }


def text_mapper(result: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 202, "headers": {}, "body": f"calls={result['context']['calls']}"}


def exploding_mapper(result: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("this mapper does not handle " + str(result["state"]))


def finish_handler(request: dict[str, Any]) -> dict[str, Any]:
    return target(request, "finish")


def result_mapper(result: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {}, "body": {"state": result["state"],
                                                      "result": result["result"]}}


async def slow_handler(request: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(0)
    return target(request)


async def slow_mapper(result: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(0)
    return {"statusCode": 200, "headers": {}, "body": {"calls": result["context"]["calls"]}}


def no_instance_handler(request: dict[str, Any]) -> dict[str, Any]:
    return {"machineInstanceName": "never-made", "event": {"type": "call", "request": request},
            "authContext": {"ok": True}}


http_api_mapper = {
    "echo": {"handler": target, "response_mapper": echo_mapper},
    "text": {"handler": target, "response_mapper": text_mapper},
    "explode": {"handler": target, "response_mapper": exploding_mapper},
    "finish": {"handler": finish_handler, "response_mapper": result_mapper},
    "peek": {"handler": target, "response_mapper": result_mapper},
    "async": {"handler": slow_handler, "response_mapper": slow_mapper},
    "no-instance": {"handler": no_instance_handler, "response_mapper": result_mapper},
}
