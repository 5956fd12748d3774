"""What the fixtures hand to tests: thin wrappers over a ``sb_emulator.testing`` target.

Every emulator-only capability goes through :func:`emulator_only`, which turns the facade's
``NotAvailable`` into a pytest skip, so a test that needs the clock or a reset is skipped with
a clear reason in contract mode instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, overload

import pytest

from pytest_sb_emulator.definitions import check_exist, load_cleanly, resolve_path
from sb_emulator.testing import Client, NotAvailable, RecordedRequest, Target

T = TypeVar("T")

CONTRACT_MODE_SKIP = "not available in contract mode"


def emulator_only(action: Callable[[], T]) -> T:
    try:
        return action()
    except NotAvailable as err:
        pytest.skip(f"sb-emulator: {err}")


class TokenFactory:
    """``sb_token(sub="u1", role="x")`` mints an admin-key token, shaped as
    ``sb-emulator token --sub u1 --claims '{"role": "x"}'`` mints it; see also the methods."""

    def __init__(self, target: Target):
        self._target = target

    def __call__(self, sub: str | None = "admin", **claims: Any) -> str:
        return self._target.token(sub, **claims)

    def production(self, sub: str | None = "admin", **claims: Any) -> str:
        """A token signed with the production key (no admin scopes)."""
        return self._target.production_token(sub, **claims)

    def anonymous(self, session_id: str = "session-1", device_id: str | None = None) -> str:
        """A token from the real anonymous-session exchange (``POST /tokens``)."""
        return emulator_only(lambda: self._target.anonymous_token(session_id, device_id))


class ClockHandle:
    """The emulator's manual clock: ``sb_clock.advance(ms)``, ``sb_clock.now`` (ms epoch)."""

    def __init__(self, target: Target):
        self._target = target

    def advance(self, ms: int) -> int:
        """Move time forward by ``ms``; every delayed event due by then has fired on return."""
        return emulator_only(lambda: self._target.advance(ms))

    @property
    def now(self) -> int:
        return emulator_only(self._target.now_ms)


class RecordedRequests(Sequence[RecordedRequest]):
    """A live view of the requests the emulator answered during this test."""

    def __init__(self, target: Target):
        self._target = target

    def _all(self) -> list[RecordedRequest]:
        return emulator_only(self._target.recorded_requests)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | Sequence[RecordedRequest]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self._all())

    def matching(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        return [
            r for r in self._all()
            if (method is None or r.method == method.upper()) and (path is None or r.path == path)
        ]


class EmulatorHandle:
    """The ``sb_emulator`` fixture: one test's view of the (reset) emulator or deployment."""

    def __init__(self, target: Target, base_dir: Path):
        self.target = target
        self.client: Client = target.client()
        self.tokens = TokenFactory(target)
        self.clock = ClockHandle(target)
        self.requests = RecordedRequests(target)
        self._base_dir = base_dir

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def org_id(self) -> str:
        """The org the tokens are for (``/http-api/{org_id}/...``); ``""`` in contract mode
        without ``--sb-org-id``."""
        return self.target.org_id

    @property
    def contract_mode(self) -> bool:
        return not self.target.is_emulator

    def token(self, sub: str | None = "admin", **claims: Any) -> str:
        return self.tokens(sub, **claims)

    def client_for(self, token: str) -> Client:
        return self.client.with_token(token)

    def advance(self, ms: int) -> int:
        return self.clock.advance(ms)

    def load(self, *paths: str | Path) -> list[str]:
        """Register machine definitions now (relative paths: from the test file's folder)."""
        origin = "sb_emulator.load()"
        resolved = [resolve_path(p, self._base_dir) for p in paths]
        if self.target.is_emulator:  # (a deployment skips the test below instead)
            check_exist(resolved, origin, f"the test file's folder, {self._base_dir}")
        return emulator_only(
            lambda: load_cleanly(origin, lambda: self.target.load_machines(resolved))
        )
