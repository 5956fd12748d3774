"""Output of machine code: ``print`` in an action, a labelled ``log`` action, an action that
raises, and a service that prints."""

from sb_emulator.actions import log

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


def speak(context, event):
    print(f"saying {event['text']}")
    print("second line")


def crash(context, event):
    raise RuntimeError("the action broke")


async def job(context, event, meta):
    print("job ran")
    return 1


actions = {
    "speak": speak,
    "note": log(lambda ctx, ev: {"text": ev["text"]}, label="said"),
    "crash": crash,
}
services = {"job": job}


def allow_read(request):
    return True


def allow_write(request):
    return True
