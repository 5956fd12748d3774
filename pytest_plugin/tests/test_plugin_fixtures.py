"""The plugin's fixtures in real pytest sessions (pytester), against the embedded emulator."""

from __future__ import annotations

import pytest
from plugin_support import INNER_ARGS

COUNTER_YAML = """
name: counter
machine:
  initial: idle
  context: {count: 0}
  states:
    idle:
      on:
        start: running
    running:
      after:
        "1000": idle
allowRead: true
allowWrite: true
"""

GUARDED_YAML = """
name: guarded
machine:
  initial: open
  states:
    open: {}
allowRead: true
allowWrite: '"role" in authContext && authContext.role == "editor"'
"""


@pytest.fixture
def machines_dir(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", counter=COUNTER_YAML, guarded=GUARDED_YAML)
    return pytester


def test_marker_loads_machines_and_each_test_starts_from_a_reset(
    machines_dir: pytest.Pytester,
) -> None:
    machines_dir.makepyfile(
        """
        import pytest
        from sb_emulator.testing import ApiError

        pytestmark = pytest.mark.sb_machines("counter.yaml")

        def test_first(sb_client):
            assert sb_client.create_instance("counter", "c1")["state"] == "idle"

        def test_second_sees_no_instance_of_the_first(sb_client):
            with pytest.raises(ApiError) as caught:
                sb_client.get_instance("counter", "c1")
            assert caught.value.status == 404
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=2)


def test_clock_fires_delayed_events(machines_dir: pytest.Pytester) -> None:
    machines_dir.makepyfile(
        """
        import pytest

        @pytest.mark.sb_machines("counter.yaml")
        def test_after(sb_client, sb_clock):
            start = sb_clock.now
            sb_client.create_instance("counter", "c1")
            assert sb_client.send_event("counter", "c1", "start")["state"] == "running"
            sb_clock.advance(999)
            assert sb_client.get_instance("counter", "c1")["state"] == "running"
            assert sb_clock.advance(1) == start + 1000 == sb_clock.now
            assert sb_client.get_instance("counter", "c1")["state"] == "idle"
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=1)


def test_token_claims_reach_the_authorizer(machines_dir: pytest.Pytester) -> None:
    machines_dir.makepyfile(
        """
        import pytest
        from sb_emulator.testing import ApiError

        @pytest.mark.sb_machines("guarded.yaml")
        def test_roles(sb_emulator, sb_token):
            editor = sb_emulator.client_for(sb_token(sub="u1", role="editor"))
            assert editor.create_instance("guarded", "g1")["state"] == "open"
            viewer = sb_emulator.client_for(sb_token(sub="u2", role="viewer"))
            with pytest.raises(ApiError) as caught:
                viewer.create_instance("guarded", "g2")
            assert (caught.value.status, caught.value.code) == (
                403, "rejected-by-machine-authorizer")
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=1)


def test_anonymous_token_comes_from_the_real_exchange(machines_dir: pytest.Pytester) -> None:
    machines_dir.makepyfile(
        """
        import pytest

        @pytest.mark.sb_machines("counter.yaml")
        def test_anonymous(sb_emulator, sb_token, sb_requests):
            client = sb_emulator.client_for(sb_token.anonymous(session_id="s-42"))
            assert client.create_instance("counter", "mine")["state"] == "idle"
            exchange = sb_requests.matching("POST", "/tokens")
            assert len(exchange) == 1 and exchange[0].status == 200
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=1)


def test_recorded_requests_are_per_test(machines_dir: pytest.Pytester) -> None:
    machines_dir.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sb_machines("counter.yaml")

        def test_one(sb_client, sb_requests):
            sb_client.create_instance("counter", "c1")
            sb_client.send_event("counter", "c1", {"type": "start"})
            seen = [(r.method, r.path, r.status) for r in sb_requests]
            assert seen == [
                ("POST", "/machines/counter", 200),
                ("POST", "/machines/counter/i/c1/events", 200),
            ]
            assert sb_requests[-1].json() == {"event": {"type": "start"}}

        def test_two(sb_requests):
            assert len(sb_requests) == 0
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=2)


def test_run_wide_machines_from_option_and_ini(machines_dir: pytest.Pytester) -> None:
    machines_dir.mkdir("defs")
    (machines_dir.path / "counter.yaml").rename(machines_dir.path / "defs" / "counter.yaml")
    machines_dir.makeini("[pytest]\nsb_machines = guarded.yaml\n")
    machines_dir.makepyfile(
        """
        def test_both(sb_emulator_machines, sb_client, sb_token):
            assert [p.name for p in sb_emulator_machines] == ["defs", "guarded.yaml"]
            assert sb_client.create_instance("counter", "c")["state"] == "idle"
            editor = sb_client.with_token(sb_token(role="editor"))
            assert editor.create_instance("guarded", "g")["state"] == "open"
        """
    )
    result = machines_dir.runpytest(*INNER_ARGS, "--sb-machines", "defs")
    result.assert_outcomes(passed=1)


def test_load_at_run_time_and_config_override(machines_dir: pytest.Pytester) -> None:
    machines_dir.makeconftest(
        """
        import pytest
        from sb_emulator.testing import emulator_config

        @pytest.fixture(scope="session")
        def sb_emulator_config():
            return emulator_config(org_id="org_customOrgForPluginTest")
        """
    )
    machines_dir.makepyfile(
        """
        def test_load(sb_emulator):
            assert sb_emulator.load("counter.yaml") == ["counter"]
            assert sb_emulator.client.create_instance("counter", "c")["state"] == "idle"
            assert sb_emulator.target.org_id == "org_customOrgForPluginTest"
        """
    )
    machines_dir.runpytest(*INNER_ARGS).assert_outcomes(passed=1)
