"""Where tests send their requests: an emulator in this process, or a deployment.

* :class:`EmulatorServer` runs ``create_app(config)`` on 127.0.0.1, port 0, in a background
  thread with its own event loop (the pytest-httpserver pattern) and drives the emulator
  directly: reset, clock, run-time machine loading, recorded requests, server-side errors.
* :class:`RemoteTarget` is the same surface for a deployment (contract mode): a URL and a key;
  what only an emulator can do raises :class:`NotAvailable`.

aiohttp and the server stack are imported in ``start()``, not here.
"""

from __future__ import annotations

import asyncio
import json
import threading
import traceback
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sb_emulator.config import EmulatorConfig
from sb_emulator.testing.client import (
    DEFAULT_SUB,
    Client,
    exchange_anonymous_token,
    key_token,
)

if TYPE_CHECKING:
    from aiohttp import web

    from sb_emulator.service import Emulator

T = TypeVar("T")

CALL_TIMEOUT_S = 120.0  # a call into the server loop (reset, clock, load) never takes this long


def emulator_config(**overrides: Any) -> EmulatorConfig:
    """The configuration tests want: any free port, a manual clock, strict responses."""
    values: dict[str, Any] = {"port": 0, "clock": "manual", "strict": True}
    values.update(overrides)
    return EmulatorConfig(**values)


class NotAvailable(Exception):
    """Only an embedded emulator can do this (clock control, reset, ...), not a deployment."""


class ServerError(AssertionError):
    """Exceptions raised inside the emulator while serving a test, with their tracebacks."""

    def __init__(self, errors: list[BaseException]):
        self.errors = errors
        parts = ["".join(traceback.format_exception(err)) for err in errors]
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__(
            f"{len(errors)} {noun} inside sb-emulator while serving this test:\n\n"
            + "\n".join(parts)
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request the embedded emulator answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class RemoteTarget:
    """A State Backed deployment (or a separate emulator process) used in contract mode."""

    url: str
    key_id: str
    key_secret: str
    org_id: str = ""
    is_emulator: bool = field(default=False, init=False)

    def token(self, sub: str | None = DEFAULT_SUB, **claims: Any) -> str:
        """A token signed with the given key; ``sub`` top-level and in ``act`` with ``claims``."""
        return key_token(self.org_id, self.key_id, self.key_secret, sub, claims)

    def production_token(self, sub: str | None = DEFAULT_SUB, **claims: Any) -> str:
        # A deployment has no separate production key we know of: the given key signs it.
        return self.token(sub, **claims)

    def anonymous_token(self, session_id: str = "session-1", device_id: str | None = None) -> str:
        if not self.org_id:
            raise NotAvailable("anonymous tokens need the org id (--sb-org-id)")
        return exchange_anonymous_token(self.url, self.org_id, session_id, device_id)

    def client(self, token: str | None = None) -> Client:
        return Client(self.url, token if token is not None else self.token())

    def reset(self) -> None:
        raise NotAvailable("reset is not available in contract mode")

    def advance(self, ms: int) -> int:
        raise NotAvailable("clock control is not available in contract mode")

    def now_ms(self) -> int:
        raise NotAvailable("the emulator clock is not available in contract mode")

    def load_machines(self, paths: Iterable[str | Path]) -> list[str]:
        raise NotAvailable("loading machine definitions is not available in contract mode")

    def recorded_requests(self) -> list[RecordedRequest]:
        raise NotAvailable("recorded requests are not available in contract mode")

    def drain_errors(self) -> list[BaseException]:
        return []


class EmulatorServer:
    """An emulator served from a background thread of this process.

    >>> with EmulatorServer(emulator_config(machines=("machines/",))) as server:
    ...     server.client().create_instance("counter", "c1")
    """

    is_emulator = True

    def __init__(self, config: EmulatorConfig | None = None):
        self.config = config if config is not None else emulator_config()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._app: web.Application | None = None
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self._port = 0

    # -- lifecycle

    @property
    def url(self) -> str:
        if self._app is None:
            raise RuntimeError("the emulator server is not running; call start() first")
        return f"http://{self.config.host}:{self._port}"

    @property
    def org_id(self) -> str:
        return self.config.org_id

    @property
    def app(self) -> web.Application:
        """The running aiohttp application (for tools that need to look inside)."""
        if self._app is None:
            raise RuntimeError("the emulator server is not running; call start() first")
        return self._app

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> EmulatorServer:
        if self.is_running:
            raise RuntimeError("the emulator server is already running")
        ready = threading.Event()
        self._failure = None
        self._thread = threading.Thread(
            target=self._run_thread, args=(ready,), name="sb-emulator", daemon=True
        )
        # The garbage collector is the test process's own: it is neither paused nor frozen
        # here (a frozen heap or a disabled collector would change how the user's own tests
        # behave), only the standalone `sb-emulator serve` freezes its start-up objects.
        self._thread.start()
        ready.wait()
        if self._failure is not None:
            self._thread.join()
            failure, self._failure = self._failure, None
            raise RuntimeError("sb-emulator failed to start") from failure
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()
        self._thread, self._app = None, None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise RuntimeError("sb-emulator failed while shutting down") from failure

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run_thread(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as err:  # reported to start()/stop() in the calling thread
            self._failure = err
        finally:
            ready.set()
            _close_loop(loop)

    async def _serve(self, ready: threading.Event) -> None:
        from aiohttp import web

        from sb_emulator.web import create_app

        self._stop = asyncio.Event()
        app = create_app(self.config)
        app.on_response_prepare.append(_record_request)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port)
            await site.start()
            self._port = _bound_port(runner)
            self._app = app
            ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()

    # -- driving the emulator (runs on the server's loop)

    def _call(self, make: Coroutine[Any, Any, T]) -> T:
        if self._loop is None or not self.is_running:
            make.close()
            raise RuntimeError("the emulator server is not running; call start() first")
        return asyncio.run_coroutine_threadsafe(make, self._loop).result(CALL_TIMEOUT_S)

    def _emulator(self) -> Emulator:
        from sb_emulator.web.keys import EMULATOR

        assert self._app is not None
        return self._app[EMULATOR]

    def reset(self) -> None:
        """Back to a freshly started emulator: no instances, only the configured machines.

        Goes through ``POST /_emulator/reset`` so that whatever the web layer does on a reset
        (closing realtime sockets, ...) happens here too; then forgets recorded requests and
        server errors.
        """
        Client(self.url).request("POST", "/_emulator/reset")

        async def forget() -> None:
            self._clear_lists()

        self._call(forget())

    def advance(self, ms: int) -> int:
        """Move the manual clock forward, firing every delayed event that falls due."""
        if ms < 0:
            raise ValueError("the clock cannot go backwards")

        async def advance() -> int:
            emulator = self._emulator()
            await emulator.advance_clock(ms)
            return int(emulator.clock.now_ms())

        return self._call(advance())

    def now_ms(self) -> int:
        async def now() -> int:
            return int(self._emulator().clock.now_ms())

        return self._call(now())

    def load_machines(self, paths: Iterable[str | Path]) -> list[str]:
        """Register machine definitions (files or folders) at run time; their names."""
        from sb_emulator.machines import load_path

        async def load() -> list[str]:
            names = []
            for path in paths:
                for definition in load_path(str(path)):
                    await self._emulator().register_definition(self.org_id, definition)
                    names.append(definition.name)
            return names

        return self._call(load())

    def drain_errors(self) -> list[BaseException]:
        """Errors raised inside the server since the last drain (and forget them)."""
        from sb_emulator.web.keys import SERVER_ERRORS

        async def drain() -> list[BaseException]:
            assert self._app is not None
            kept = self._app[SERVER_ERRORS]
            errors = list(kept)
            kept.clear()
            return errors

        return self._call(drain())

    def recorded_requests(self) -> list[RecordedRequest]:
        from sb_emulator.web.keys import RECORDED_REQUESTS

        async def snapshot() -> list[RecordedRequest]:
            assert self._app is not None
            return [RecordedRequest(**entry) for entry in self._app[RECORDED_REQUESTS]]

        return self._call(snapshot())

    def _clear_lists(self) -> None:
        from sb_emulator.web.keys import RECORDED_REQUESTS, SERVER_ERRORS

        assert self._app is not None
        self._app[RECORDED_REQUESTS].clear()
        self._app[SERVER_ERRORS].clear()

    # -- tokens and clients

    def token(self, sub: str | None = DEFAULT_SUB, **claims: Any) -> str:
        """A token signed with the admin key (every scope); ``sub`` top-level and in ``act``
        with ``claims``, as ``sb-emulator token`` mints it."""
        c = self.config
        return key_token(c.org_id, c.key_id, c.key_secret, sub, claims)

    def production_token(self, sub: str | None = DEFAULT_SUB, **claims: Any) -> str:
        """A token signed with the production key (events.write, state.read, ...), same shape."""
        c = self.config
        return key_token(c.org_id, c.production_key_id, c.production_key_secret, sub, claims)

    def anonymous_token(self, session_id: str = "session-1", device_id: str | None = None) -> str:
        return exchange_anonymous_token(self.url, self.org_id, session_id, device_id)

    def client(self, token: str | None = None) -> Client:
        return Client(self.url, token if token is not None else self.token())


Target = EmulatorServer | RemoteTarget


async def _record_request(request: web.Request, response: web.StreamResponse) -> None:
    """Keep every request of the emulated API (not the emulator's own control routes)."""
    from sb_emulator.web.keys import RECORDED_REQUESTS

    if request.path.startswith("/_emulator/"):
        return

    # read() returns the bytes the handler already read (aiohttp caches them); a body the
    # handler streamed itself (multipart uploads) is gone by now and records as b"".
    body = await request.read()
    request.app[RECORDED_REQUESTS].append(
        {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body,
            "status": response.status,
        }
    )


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        return int(address[1])
    raise RuntimeError("the emulator server bound no socket")


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left (timers of the emulator, keep-alive handlers) and close cleanly."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
