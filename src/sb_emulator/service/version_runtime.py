"""The version-runtime seam: what the service needs from the code of one machine version.

The service never calls a machine's code directly. It asks the catalog for a
:class:`VersionRuntime` (one loaded version) and runs instances through it: the initial
state, each transition, the authorizers, actions and services, the HTTP API mapper, index
values, the version's own upgrade functions and the state lookup migrations need. States are
engine :class:`~sb_emulator.engine.Snapshot` values and effects engine effects, whatever runs
the code, so timers, sends, children and persistence stay the service's.

A :class:`RuntimeLoader` turns a version's stored ``source`` into a runtime. Today there is
one, :class:`~sb_emulator.service.engine_runtime.EngineLoader`, for our Python engine (YAML
definitions and Python files); a second one (real JavaScript bundles) implements the same
two protocols and is chosen by the source's ``kind`` (docs/CONTRACTS.md §3.1).

Failures of machine code are reported one way: :class:`MachineCodeError` (a 500
``machine-implementation-error``) carrying the user's exception, made by :func:`run_machine_code`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar

from sb_emulator.engine import Effect, ExecuteAction, Snapshot
from sb_emulator.errors import ApiError, MachineImplementationError
from sb_emulator.machines import HttpApiEndpoint, ServiceMeta
from sb_emulator.machines.pyoutput import LogSink

Effects = tuple[Effect, ...]
Service = Callable[[Any, Any, ServiceMeta], Awaitable[Any]]
UpgradeState = Callable[[list[str], Any], list[str]]
UpgradeContext = Callable[[list[list[str]], list[list[str]], Any], Any]
Authorizer = Literal["allowRead", "allowWrite"]
T = TypeVar("T")


class MachineCodeError(MachineImplementationError):
    """Machine code failed; ``user_error`` is what it raised (None when the failure is the
    machine's shape, e.g. eventless transitions that never settle)."""

    def __init__(self, message: str, user_error: BaseException | None = None) -> None:
        super().__init__(message)
        self.user_error = user_error


def run_machine_code(describe: Callable[[], tuple[str, str | None]], fn: Callable[..., T],
                     *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, machine code. An API error (a budget, a refusal) passes as it
    is; anything else becomes :class:`MachineCodeError`. ``describe()`` gives ``(failed,
    loops)``: the message is ``"{failed}: {type}: {message}"``, or ``loops`` for an endless
    recursion (eventless transitions that never settle) if given. (A callable, so that the
    messages are only written for a failure: this runs on every event.)"""
    try:
        return fn(*args, **kwargs)
    except ApiError:
        raise
    except RecursionError as err:
        failed, loops = describe()
        if loops is None:
            raise MachineCodeError(f"{failed}: {type(err).__name__}: {err}", err) from err
        raise MachineCodeError(loops) from err
    except Exception as err:
        failed, _ = describe()
        raise MachineCodeError(f"{failed}: {type(err).__name__}: {err}", err) from err


class VersionRuntime(Protocol):
    """One machine version, loaded: everything the service runs for its instances."""

    @property
    def name(self) -> str:
        """The machine slug."""
        ...

    def initial(self, context: Mapping[str, Any]) -> tuple[Snapshot, Effects]:
        """A new instance: ``context`` (supplied at creation) over the version's own."""
        ...

    def transition(self, snapshot: Snapshot, event: dict[str, Any], *,
                   delayed_id: str | None = None) -> tuple[Snapshot, Effects]:
        """The next state and the effects to carry out (``delayed_id``: the delayed event
        being delivered, no longer pending)."""
        ...

    def authorize(self, which: Authorizer, request: dict[str, Any]) -> None:
        """Return only if the authorizer allows ``request`` (API.md §6.2); otherwise raise
        ``RejectedByMachineAuthorizer``."""
        ...

    def run_action(self, effect: ExecuteAction, sink: LogSink) -> None:
        """Run one action of the machine's code, its output into ``sink``; raises what the
        action raised (the service logs it and goes on, as XState does)."""
        ...

    def service(self, src: str) -> Service | None:
        """The async service ``src`` (its output goes to the sink the caller opened)."""
        ...

    def http_endpoint(self, slug: str) -> HttpApiEndpoint | None: ...

    def index_values(self, selectors: Mapping[str, str], context: Any) -> dict[str, list[str]]:
        """Each index's values for ``context`` (a version's JSONPath selectors first)."""
        ...

    def upgrade_functions(self) -> tuple[UpgradeState | None, UpgradeContext | None]:
        """The version's own migration from the version current before it, if it has one."""
        ...

    def snapshot_at(self, value: Any, context: Any) -> Snapshot:
        """The snapshot of this version at state ``value`` (a migration's target); KeyError
        when the version has no such state."""
        ...


class RuntimeLoader(Protocol):
    def load(self, source: Mapping[str, Any], machine: str) -> VersionRuntime:
        """The runtime of a version's stored ``source`` (``kind`` names the format);
        ``DefinitionError`` when the code is invalid, ``BadRequest`` for a kind it cannot run."""
        ...
