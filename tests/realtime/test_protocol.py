"""The pure `/rt` protocol: client frames in, server frames out (API.md §5.2, §5.3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sb_emulator.errors import NotFound, RejectedByMachineAuthorizer
from sb_emulator.realtime import (
    Ping,
    ProtocolError,
    SubscribeToInstance,
    UnsubscribeFromInstance,
    encode,
    error_from_api_error,
    error_from_protocol_error,
    error_message,
    instance_update,
    parse_client_message,
)

# The exact payloads the real client sends (API.md §5.2).
CLIENT_SUBSCRIBE = (
    '{"type":"subscribe-to-instance","machineName":"m","machineInstanceName":"i",'
    '"requestId":"k3j2h1g0f9"}'
)
CLIENT_UNSUBSCRIBE = (
    '{"type":"unsubscribe-from-instance","machineName":"m","machineInstanceName":"i",'
    '"requestId":"k3j2h1g0f9"}'
)


def test_parses_the_clients_exact_frames() -> None:
    assert parse_client_message(CLIENT_SUBSCRIBE) == SubscribeToInstance("k3j2h1g0f9", "m", "i")
    assert parse_client_message(CLIENT_UNSUBSCRIBE) == UnsubscribeFromInstance(
        "k3j2h1g0f9", "m", "i"
    )
    assert parse_client_message('{"type":"ping"}') == Ping()
    assert parse_client_message(b'{"type":"ping"}') == Ping()


@pytest.mark.parametrize("frame", ["not json", "[1,2]", '"subscribe-to-instance"', "{"])
def test_unaddressable_garbage_has_no_request_id(frame: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_client_message(frame)
    assert info.value.request_id is None
    assert error_from_protocol_error(info.value) is None


def test_unknown_type_with_request_id_is_addressable() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_client_message('{"type":"subscribe","requestId":"r1"}')
    reply = error_from_protocol_error(info.value)
    assert reply is not None
    assert reply["type"] == "error"
    assert reply["requestId"] == "r1"
    assert reply["status"] == 400
    assert reply["code"] == "invalid-parameter"
    assert "subscribe" in reply["error"]


@pytest.mark.parametrize(
    ("frame", "parameter"),
    [
        ({"machineInstanceName": "i"}, "machineName"),
        ({"machineName": "m"}, "machineInstanceName"),
        ({"machineName": "m/x", "machineInstanceName": "i"}, "machineName"),
        ({"machineName": "m", "machineInstanceName": "a" * 129}, "machineInstanceName"),
        ({"machineName": 3, "machineInstanceName": "i"}, "machineName"),
    ],
)
def test_bad_names_are_reported_against_the_request(frame: dict[str, Any], parameter: str) -> None:
    raw = json.dumps({"type": "subscribe-to-instance", "requestId": "r9", **frame})
    with pytest.raises(ProtocolError) as info:
        parse_client_message(raw)
    assert info.value.request_id == "r9"
    assert info.value.parameter == parameter


def test_subscribe_without_request_id_cannot_be_answered() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_client_message('{"type":"subscribe-to-instance","machineName":"m"}')
    assert info.value.request_id is None


def test_instance_update_has_every_field_and_defaults_public_context() -> None:
    state = {"ts": 17, "state": {"a": "b"}, "tags": ["t"], "done": False}
    update = instance_update("m", "i", state)
    assert update == {
        "type": "instance-update",
        "machineName": "m",
        "machineInstanceName": "i",
        "ts": 17,
        "state": {"a": "b"},
        "publicContext": {},
        "tags": ["t"],
        "done": False,
    }
    with_public = instance_update("m", "i", {**state, "publicContext": {"n": 1}, "done": True})
    assert with_public["publicContext"] == {"n": 1}
    assert with_public["done"] is True


def test_error_frames_carry_status_and_code() -> None:
    rejected = error_from_api_error("r", RejectedByMachineAuthorizer("allowRead said no"))
    assert rejected == {
        "type": "error",
        "requestId": "r",
        "status": 403,
        "code": "rejected-by-machine-authorizer",
        "error": "allowRead said no",
    }
    assert error_from_api_error("r", NotFound("gone"))["status"] == 404
    assert error_message("r", 500) == {"type": "error", "requestId": "r", "status": 500}


def test_encode_is_compact_json() -> None:
    assert encode({"type": "ping", "x": "é"}) == '{"type":"ping","x":"é"}'


@given(st.text(max_size=200))
def test_parser_never_fails_other_than_protocol_error(text: str) -> None:
    try:
        message = parse_client_message(text)
    except ProtocolError:
        return
    assert isinstance(message, Ping | SubscribeToInstance | UnsubscribeFromInstance)


@given(
    st.dictionaries(
        st.sampled_from(["type", "requestId", "machineName", "machineInstanceName"]),
        st.one_of(
            st.none(),
            st.integers(),
            st.sampled_from(["subscribe-to-instance", "unsubscribe-from-instance", "ping"]),
            st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True),
            st.text(max_size=10),
        ),
    )
)
def test_parser_accepts_exactly_well_formed_objects(frame: dict[str, Any]) -> None:
    try:
        message = parse_client_message(json.dumps(frame))
    except ProtocolError:
        return
    if isinstance(message, Ping):
        assert frame["type"] == "ping"
        return
    assert message.request_id == frame["requestId"]
    assert message.machine_name == frame["machineName"]
    assert message.machine_instance_name == frame["machineInstanceName"]
