"""Output of machine code: ``print`` in an action, a labelled ``log`` action, an action that
raises, and a service that prints."""

from typing import Any

from sb_emulator.actions import log
from sb_emulator.machines import ServiceMeta

name = "chatty"
version = "1.0.0"

machine = {
    "id": "chatty",
    "initial": "idle",
    "context": {"said": 0},
    "states": {
        "idle": {
            "on": {
                "say": {"actions": ["speak", "note"]},
                "crash": {"actions": "crash"},
                "work": "working",
            }
        },
        "working": {"invoke": {"id": "job", "src": "job", "onDone": "idle"}},
    },
}


def speak(context: Any, event: Any) -> None:
    print(f"saying {event['text']}")
    print("second line")


def crash(context: Any, event: Any) -> None:
    raise RuntimeError("the action broke")


async def job(context: Any, event: Any, meta: ServiceMeta) -> Any:
    print("job ran")
    return 1


actions = {
    "speak": speak,
    "note": log(lambda ctx, ev: {"text": ev["text"]}, label="said"),
    "crash": crash,
}
services = {"job": job}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
