"""EmulatorServer's life cycle outside pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.testing import ApiError, EmulatorServer, emulator_config

HERE = Path(__file__).parent


def test_context_manager_serves_then_stops() -> None:
    with EmulatorServer(emulator_config(machines=(str(HERE / "machines"),))) as server:
        url = server.url
        assert url.startswith("http://127.0.0.1:")
        assert [m["slug"] for m in server.client().list_machines()] == ["counter"]
    assert not server.is_running
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    with pytest.raises(RuntimeError, match="not running"):
        server.advance(1)
    server.stop()  # stopping twice is harmless


def test_a_broken_definition_stops_start_up_with_its_cause(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nmachine:\n  initial: nowhere\n  states: {}\n")
    server = EmulatorServer(emulator_config(machines=(str(broken),)))
    with pytest.raises(RuntimeError, match="failed to start") as caught:
        server.start()
    assert isinstance(caught.value.__cause__, DefinitionError)
    assert not server.is_running


GC_STATE_CHANGERS = ("disable", "enable", "freeze", "unfreeze", "set_threshold")


@pytest.fixture
def gc_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of a ``gc`` function that changes the interpreter's collector state."""
    import gc

    calls: list[str] = []
    for name in GC_STATE_CHANGERS:
        monkeypatch.setattr(gc, name, lambda *args, _name=name, **kw: calls.append(_name))
    return calls


def test_the_facade_leaves_the_garbage_collector_alone(gc_calls: list[str]) -> None:
    import gc

    assert gc.isenabled()
    with EmulatorServer(emulator_config(machines=(str(HERE / "machines"),))) as server:
        assert gc.isenabled()
        assert server.client().list_machines()
        server.reset()
        server.advance(1)
    assert gc.isenabled()
    assert gc_calls == []


def test_a_failed_start_leaves_the_garbage_collector_alone(
    tmp_path: Path, gc_calls: list[str]
) -> None:
    import gc

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nmachine:\n  initial: nowhere\n  states: {}\n")
    with pytest.raises(RuntimeError, match="failed to start"):
        EmulatorServer(emulator_config(machines=(str(broken),))).start()
    assert gc.isenabled()
    assert gc_calls == []


def test_reset_clock_and_run_time_loading() -> None:
    with EmulatorServer() as server:
        client = server.client()
        assert server.load_machines([HERE / "machines" / "counter.yaml"]) == ["counter"]
        client.create_instance("counter", "c1")
        client.send_event("counter", "c1", "start")
        before = server.now_ms()
        assert server.advance(1000) == before + 1000
        assert client.get_instance("counter", "c1")["state"] == "idle"
        with pytest.raises(ValueError, match="backwards"):
            server.advance(-1)
        server.reset()
        with pytest.raises(ApiError) as caught:
            client.get_instance("counter", "c1")
        assert caught.value.status == 404  # run-time machines are gone after a reset
        assert [r.path for r in server.recorded_requests()] == ["/machines/counter/i/c1"]


def test_production_token_lacks_admin_scopes() -> None:
    with EmulatorServer() as server:
        production = server.client(server.production_token("alice"))
        with pytest.raises(ApiError) as caught:
            production.list_machines()
        assert (caught.value.status, caught.value.code) == (403, "missing-scope")
