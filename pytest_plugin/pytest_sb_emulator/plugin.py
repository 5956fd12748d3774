"""The sb-emulator pytest plugin (registered through the ``pytest11`` entry point).

One emulator per test session (per xdist worker: each worker is its own session, port 0),
reset before every test that asks for it; server-side failures re-raised in the test that
caused them. With ``--sb-target URL`` the same fixtures point at a deployment instead
(contract mode) and what only an emulator can do skips with a clear reason.

Fixtures: ``sb_emulator_config``, ``sb_emulator_machines``, ``sb_emulator_server`` (session);
``sb_emulator``, ``sb_client``, ``sb_token``, ``sb_clock``, ``sb_requests``, ``sb_unique``,
``sb_slug`` (per test). Marker: ``@pytest.mark.sb_machines("path.yaml", ...)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_sb_emulator.definitions import (
    INI,
    MARKER,
    OPTION,
    check_exist,
    load_cleanly,
    resolve_path,
    start_cleanly,
)
from pytest_sb_emulator.handles import (
    CONTRACT_MODE_SKIP,
    ClockHandle,
    EmulatorHandle,
    RecordedRequests,
    TokenFactory,
)
from pytest_sb_emulator.unique import UniqueNames
from sb_emulator.config import EmulatorConfig
from sb_emulator.testing import (
    Client,
    EmulatorServer,
    RemoteTarget,
    ServerError,
    Target,
    emulator_config,
)

ENV_TARGET = "SB_EMULATOR_TARGET"
ENV_KEY_ID = "SB_EMULATOR_TARGET_KEY_ID"
ENV_KEY_SECRET = "SB_EMULATOR_TARGET_KEY_SECRET"
ENV_ORG_ID = "SB_EMULATOR_TARGET_ORG_ID"


@dataclass
class PluginState:
    remote: RemoteTarget | None  # set in contract mode
    names: UniqueNames  # sb_unique / sb_slug: one sequence per session (per xdist worker)
    target: Target | None = None  # the session's target once a test asked for it


STATE = pytest.StashKey[PluginState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sb-emulator", "sb-emulator (State Backed emulator)")
    group.addoption(
        "--sb-machines", action="append", default=[], metavar="PATH",
        help="machine definition file or folder loaded for the whole run (repeatable)",
    )
    group.addoption(
        "--sb-target", metavar="URL",
        help=f"contract mode: run against this deployment instead of an emulator [{ENV_TARGET}]",
    )
    group.addoption("--sb-key-id", metavar="ID", help=f"contract mode key id [{ENV_KEY_ID}]")
    group.addoption(
        "--sb-key-secret", metavar="SECRET", help=f"contract mode key secret [{ENV_KEY_SECRET}]"
    )
    group.addoption(
        "--sb-org-id", metavar="ORG", help=f"contract mode org id (anonymous tokens) [{ENV_ORG_ID}]"
    )
    parser.addini("sb_machines", "machine definition files or folders for the run", type="paths")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sb_machines(*paths): machine definitions to load for this test "
        "(relative paths are taken from the test file's folder)",
    )
    remote = _remote_target(config)
    names = UniqueNames.for_run(shared_with_other_runs=remote is not None)
    config.stash[STATE] = PluginState(remote=remote, names=names)
    if remote is not None:
        config.pluginmanager.register(ContractModeReport(remote), "sb-emulator-contract-mode")


def _remote_target(config: pytest.Config) -> RemoteTarget | None:
    url = config.getoption("sb_target") or os.environ.get(ENV_TARGET)
    if not url:
        return None
    key_id = config.getoption("sb_key_id") or os.environ.get(ENV_KEY_ID)
    secret = config.getoption("sb_key_secret") or os.environ.get(ENV_KEY_SECRET)
    if not key_id or not secret:
        raise pytest.UsageError(
            "--sb-target needs a key: --sb-key-id and --sb-key-secret "
            f"(or {ENV_KEY_ID} and {ENV_KEY_SECRET})"
        )
    org_id = config.getoption("sb_org_id") or os.environ.get(ENV_ORG_ID) or ""
    return RemoteTarget(url=url.rstrip("/"), key_id=key_id, key_secret=secret, org_id=org_id)


def pytest_report_header(config: pytest.Config) -> str | None:
    remote = config.stash[STATE].remote
    if remote is None:
        return None
    return f"sb-emulator: contract mode against {remote.url} (key {remote.key_id})"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def sb_emulator_machines(pytestconfig: pytest.Config) -> list[Path]:
    """Machine definitions for the whole run: ``--sb-machines`` then ini ``sb_machines``."""
    from_cli = [Path(p).resolve() for p in pytestconfig.getoption("sb_machines")]
    from_ini: list[Path] = list(pytestconfig.getini("sb_machines"))
    if pytestconfig.stash[STATE].remote is None:  # a deployment does not load them
        check_exist(from_cli, OPTION, f"the working directory, {Path.cwd()}")
        ini_folder = pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath
        check_exist(from_ini, INI, f"the ini file's folder, {ini_folder}")
    return from_cli + from_ini


@pytest.fixture(scope="session")
def sb_emulator_config(sb_emulator_machines: list[Path]) -> EmulatorConfig:
    """The embedded emulator's settings; override this fixture to change them."""
    return emulator_config(machines=tuple(str(p) for p in sb_emulator_machines))


@pytest.fixture(scope="session")
def sb_emulator_server(
    pytestconfig: pytest.Config, sb_emulator_config: EmulatorConfig
) -> Iterator[Target]:
    """The session's emulator (started once, port 0) or, in contract mode, the deployment."""
    state = pytestconfig.stash[STATE]
    if state.remote is not None:
        state.target = state.remote
        yield state.remote
        return
    server = start_cleanly(EmulatorServer(sb_emulator_config).start)
    state.target = server
    try:
        yield server
    finally:
        state.target = None
        server.stop()


@pytest.fixture
def sb_emulator(request: pytest.FixtureRequest, sb_emulator_server: Target) -> EmulatorHandle:
    """The emulator, reset for this test, with the test's ``sb_machines`` markers loaded."""
    base_dir = request.path.parent
    if sb_emulator_server.is_emulator:
        sb_emulator_server.reset()
        paths = [
            resolve_path(p, base_dir)
            for marker in reversed(list(request.node.iter_markers("sb_machines")))
            for p in marker.args
        ]
        if paths:
            check_exist(paths, MARKER, f"the test file's folder, {base_dir}")
            load_cleanly(MARKER, lambda: sb_emulator_server.load_machines(paths))
    return EmulatorHandle(sb_emulator_server, base_dir)


@pytest.fixture
def sb_client(sb_emulator: EmulatorHandle) -> Client:
    """A REST client authenticated with an admin-key token (``authContext.sub == "admin"``)."""
    return sb_emulator.client


@pytest.fixture
def sb_token(sb_emulator: EmulatorHandle) -> TokenFactory:
    """``sb_token(sub="u1", role="x")``, ``sb_token.production(...)``, ``.anonymous()``;
    tokens shaped as ``sb-emulator token`` mints them (``sub`` top-level and in ``act``)."""
    return sb_emulator.tokens


@pytest.fixture
def sb_unique(pytestconfig: pytest.Config) -> UniqueNames:
    """``sb_unique("order")`` -> a new instance name on every call: ``"order-7"`` against the
    emulator, ``"order-3f9a1c2e-7"`` (random per run) in contract mode, where nothing is reset
    between tests and runs."""
    return pytestconfig.stash[STATE].names


@pytest.fixture
def sb_slug(request: pytest.FixtureRequest, sb_unique: UniqueNames) -> str:
    """A unique instance name for this test, starting with the test's name."""
    return sb_unique.for_test(request.node.name)


@pytest.fixture
def sb_clock(sb_emulator: EmulatorHandle) -> ClockHandle:
    """The manual clock (``advance(ms)``, ``now``); skips in contract mode."""
    if sb_emulator.contract_mode:
        pytest.skip(f"sb-emulator: clock control is {CONTRACT_MODE_SKIP}")
    return sb_emulator.clock


@pytest.fixture
def sb_requests(sb_emulator: EmulatorHandle) -> RecordedRequests:
    """The requests the emulator answered during this test; skips in contract mode."""
    if sb_emulator.contract_mode:
        pytest.skip(f"sb-emulator: recorded requests are {CONTRACT_MODE_SKIP}")
    return sb_emulator.requests


# --------------------------------------------------------------------------- hooks


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test with the server-side traceback of anything that broke while serving it."""
    try:
        result = yield
    except BaseException:
        errors = _drain(item)
        if errors:
            item.add_report_section("call", "sb-emulator server errors", str(ServerError(errors)))
        raise
    errors = _drain(item)
    if errors:
        raise ServerError(errors)
    return result


def _drain(item: pytest.Item) -> list[BaseException]:
    target = item.config.stash[STATE].target
    if target is None or "sb_emulator_server" not in getattr(item, "fixturenames", ()):
        return []
    return target.drain_errors()


class ContractModeReport:
    """Registered in contract mode only: counts the skips it caused and says so at the end."""

    def __init__(self, remote: RemoteTarget):
        self.remote = remote
        self.skipped = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and CONTRACT_MODE_SKIP in str(report.longrepr):
            self.skipped += 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.section("sb-emulator contract mode")
        terminalreporter.write_line(
            f"ran against {self.remote.url} instead of an embedded emulator: no reset between "
            "tests, machine definitions as deployed (sb_machines markers are not loaded)"
        )
        terminalreporter.write_line(
            f"{self.skipped} test(s) skipped: they need clock control, recorded requests or "
            "run-time machine loading, which only the emulator offers"
        )
