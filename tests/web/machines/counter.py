"""A small Python-defined machine for the REST integration tests.

Authorizers: anyone may read; writes are allowed when authContext.sub equals context.owner
(or on creation, when the creator names themselves as owner), and for the test user "admin".
"""

from sb_emulator.actions import assign

name = "counter"
version = "1.0.0"

machine = {
    "id": "counter",
    "initial": "idle",
    "context": {"count": 0, "owner": None, "public": {"count": 0}},
    "states": {
        "idle": {
            "on": {
                "inc": {"actions": "increment"},
                "start": "running",
            }
        },
        "running": {
            "tags": ["busy"],
            "on": {"stop": "idle", "finish": "done", "inc": {"actions": "increment"}},
        },
        "done": {"type": "final"},
    },
}

actions = {
    "increment": assign(
        lambda ctx, ev: {
            "count": ctx["count"] + ev.get("by", 1),
            "public": {"count": ctx["count"] + ev.get("by", 1)},
        }
    ),
}


def indexes_owner(ctx):
    return ctx.get("owner")


indexes = {"owner": indexes_owner}


def allow_read(request):
    return request["authContext"].get("sub") != "nobody"


def allow_write(request):
    sub = request["authContext"].get("sub")
    if sub == "admin":
        return True
    return sub is not None and sub == request["context"].get("owner")
