"""Authorizer requests (API.md §6.2) and the explanations of their rejections."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.auth.authorizers import check, event_request, init_request, read_request
from sb_emulator.errors import RejectedByMachineAuthorizer

AUTH = {"sub": "bob"}


def test_request_shapes() -> None:
    assert read_request("i1", {"a": "b"}, {"n": 1}, AUTH) == {
        "machineInstanceName": "i1", "state": {"a": "b"}, "context": {"n": 1},
        "authContext": {"sub": "bob"},
    }
    init = init_request("i1", {"owner": "bob"}, AUTH)
    assert init == {"type": "initialization", "machineInstanceName": "i1",
                    "context": {"owner": "bob"}, "authContext": {"sub": "bob"}}
    assert "state" not in init
    assert event_request("i1", "idle", {}, "inc", AUTH)["event"] == {"type": "inc"}
    assert event_request("i1", "idle", {}, {"type": "set", "v": 2}, AUTH) == {
        "type": "event", "machineInstanceName": "i1", "state": "idle", "context": {},
        "event": {"type": "set", "v": 2}, "authContext": {"sub": "bob"},
    }


def test_true_allows() -> None:
    seen: list[dict[str, Any]] = []

    def allow(request: dict[str, Any]) -> bool:
        seen.append(request)
        return True

    request = read_request("i1", "idle", {}, AUTH)
    check(allow, request, "allowRead", machine="counter")
    assert seen == [request]


@pytest.mark.parametrize(
    ("verdict", "shown"), [(False, "returned false"), (1, "returned 1"), (None, "returned null"),
                           ("yes", 'returned "yes"')],
)
def test_anything_but_true_rejects_with_explanation(verdict: object, shown: str) -> None:
    with pytest.raises(RejectedByMachineAuthorizer) as err:
        check(lambda _: verdict, event_request("i7", "idle", {}, "inc", AUTH), "allowWrite",
              machine="counter")
    message = err.value.message
    assert err.value.status == 403 and err.value.code == "rejected-by-machine-authorizer"
    assert message.startswith("allowWrite of machine 'counter' " + shown)
    assert "sending event 'inc' to instance 'i7'" in message
    assert '{"sub": "bob"}' in message


def test_exception_is_a_rejection_naming_it() -> None:
    def boom(request: dict[str, Any]) -> bool:
        raise KeyError("owner")

    with pytest.raises(RejectedByMachineAuthorizer) as err:
        check(boom, init_request("i2", {}, {}), "allowWrite", machine="m")
    assert "allowWrite of machine 'm' raised KeyError: 'owner'" in err.value.message
    assert "creating instance 'i2' with authContext {}" in err.value.message
    assert isinstance(err.value.__cause__, KeyError)


def test_async_authorizer_is_rejected_without_leaking_a_coroutine() -> None:
    async def allow(request: dict[str, Any]) -> bool:
        return True

    with pytest.raises(RejectedByMachineAuthorizer) as err:
        check(allow, read_request("i3", "s", {}, AUTH), "allowRead")
    assert "returned a coroutine" in err.value.message
    assert err.value.message.startswith("allowRead returned")
    assert "reading instance 'i3'" in err.value.message


def test_long_auth_context_is_shortened() -> None:
    big = {"blob": "x" * 1000}
    with pytest.raises(RejectedByMachineAuthorizer) as err:
        check(lambda _: False, read_request("i", "s", {}, big), "allowRead")
    assert len(err.value.message) < 500 and err.value.message.endswith("...")
