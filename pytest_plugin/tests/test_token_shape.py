"""Every way of minting a user token gives the shape `sb-emulator token --sub` mints."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from plugin_support import INNER_ARGS

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.testing import (
    EmulatorServer,
    RemoteTarget,
    emulator_config,
    key_token,
    sign_key_token,
)

ORDER_YAML = Path(__file__).parents[2] / "fixtures" / "machines" / "order.yaml"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def shape(token: str) -> dict[str, Any]:
    """What differs between users and claims, not between keys and instants."""
    claims = claims_of(token)
    return {"keys": sorted(claims), "sub": claims.get("sub"), "act": claims["act"]}


def cli_shape() -> dict[str, Any]:
    return shape(mint_token(EmulatorConfig(), "alice", '{"role": "editor"}'))


def test_the_cli_shape_is_sub_top_level_and_in_act() -> None:
    assert cli_shape() == {
        "keys": ["act", "aud", "exp", "iat", "iss", "sub"],
        "sub": "alice",
        "act": {"sub": "alice", "role": "editor"},
    }


def test_facade_tokens_have_the_cli_shape() -> None:
    server = EmulatorServer(emulator_config())  # minting needs no running server
    remote = RemoteTarget(url="http://127.0.0.1:9", key_id="sbk_remoteKey000000000", key_secret="s")
    c = server.config
    minted = {
        "EmulatorServer.token": server.token("alice", role="editor"),
        "EmulatorServer.production_token": server.production_token("alice", role="editor"),
        "RemoteTarget.token": remote.token("alice", role="editor"),
        "RemoteTarget.production_token": remote.production_token("alice", role="editor"),
        "sign_key_token": sign_key_token(
            c.org_id, c.key_id, c.key_secret, {"sub": "alice", "role": "editor"}
        ),
        "key_token": key_token(c.org_id, c.key_id, c.key_secret, "alice", {"role": "editor"}),
    }
    expected = cli_shape()
    assert {path: shape(token) for path, token in minted.items()} == dict.fromkeys(
        minted, expected
    )


def test_a_token_without_sub_has_none_anywhere() -> None:
    claims = claims_of(EmulatorServer(emulator_config()).token(None, role="editor"))
    assert "sub" not in claims and claims["act"] == {"role": "editor"}


def test_fixture_tokens_have_the_cli_shape(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import base64, json
        from sb_emulator.cli import mint_token

        def shape(token):
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return sorted(claims), claims.get("sub"), claims["act"]

        def test_shapes(sb_emulator, sb_token, sb_client):
            cli = shape(mint_token(sb_emulator.target.config, "alice", '{"role": "editor"}'))
            assert shape(sb_token(sub="alice", role="editor")) == cli
            assert shape(sb_token.production(sub="alice", role="editor")) == cli
            assert shape(sb_emulator.token("alice", role="editor")) == cli
            admin = mint_token(sb_emulator.target.config, "admin")
            assert shape(sb_client.token) == shape(admin)
        """
    )
    pytester.runpytest(*INNER_ARGS).assert_outcomes(passed=1)


def test_http_api_handler_reads_the_fixture_tokens_sub(pytester: pytest.Pytester) -> None:
    """The README's place-order example, written with the fixtures: the handler verifies the
    JWT itself and takes the user from ``jwt.sub``."""
    pytester.makepyfile(
        f"""
        import pytest
        from sb_emulator.testing import ApiError

        @pytest.mark.sb_machines({str(ORDER_YAML)!r})
        def test_place_order(sb_emulator, sb_token, sb_slug):
            alice = sb_emulator.client_for(sb_token(sub="alice"))
            placed = alice.request(
                "POST", f"/http-api/{{sb_emulator.org_id}}/machines/order/place-order",
                json_body={{"orderId": sb_slug, "items": ["item-a", "item-b"], "total": 49.99}},
            )
            assert placed == {{"orderId": sb_slug, "status": "placed", "total": 49.99}}
            # the instance belongs to jwt.sub: alice reads it, bob is refused
            assert alice.get_instance("order", sb_slug)["state"] == "placed"
            bob = sb_emulator.client_for(sb_token(sub="bob"))
            with pytest.raises(ApiError) as refused:
                bob.get_instance("order", sb_slug)
            assert refused.value.code == "rejected-by-machine-authorizer"
        """
    )
    pytester.runpytest(*INNER_ARGS).assert_outcomes(passed=1)
