"""The machine the real @statebacked/client drives in tests/clients.

Authorizers read the JWT's act claims: `role: "banned"` may do nothing; anonymous sessions and
any signed-in user (`sub`) may create and send events; an instance whose context names an
`owner` only accepts events from that owner (or from anonymous sessions it was created by).
"""

from sb_emulator.actions import assign, log

name = "js-counter"
version = "1.0.0"

machine = {
    "id": "js-counter",
    "initial": "idle",
    "predictableActionArguments": True,
    "context": {"count": 0, "owner": None, "public": {"count": 0}},
    "states": {
        "idle": {
            "on": {
                "inc": {"actions": ["increment", "announce"]},
                "arm": "armed",
            }
        },
        "armed": {
            "tags": ["waiting"],
            "after": {"1000": "fired"},
        },
        "fired": {"on": {"reset": "idle"}},
    },
}

actions = {
    "increment": assign(
        lambda ctx, ev: {
            "count": ctx["count"] + 1,
            "public": {**ctx["public"], "count": ctx["count"] + 1},
        }
    ),
    "announce": log(lambda ctx, ev: f"count is now {ctx['count']}"),
}

indexes = {"owner": lambda ctx: ctx.get("owner")}


def allow_read(request):
    return request["authContext"].get("role") != "banned"


def allow_write(request):
    auth = request["authContext"]
    if auth.get("role") == "banned":
        return False
    if auth.get("auth") == "anonymous":
        return True
    owner = request["context"].get("owner")
    if request.get("type") == "event" and owner is not None:
        return auth.get("sub") == owner
    return auth.get("sub") is not None
