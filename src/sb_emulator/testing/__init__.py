"""The testing facade: run an emulator inside a test process, or point at a deployment.

* :class:`EmulatorServer`: the emulator served from a background thread (port 0), with
  ``reset()``, ``advance(ms)``, ``load_machines(paths)``, tokens, recorded requests and the
  errors raised while serving (``drain_errors()``).
* :class:`RemoteTarget`: the same surface for a deployment (contract mode); what only an
  emulator can do raises :class:`NotAvailable`.
* :class:`Client`: a small synchronous client of the emulated REST API raising
  :class:`ApiError`.

Importing this package is cheap: the server stack loads when a server starts.
"""

from sb_emulator.testing.client import (
    ApiError,
    Client,
    exchange_anonymous_token,
    key_token,
    sign_key_token,
)
from sb_emulator.testing.targets import (
    EmulatorServer,
    NotAvailable,
    RecordedRequest,
    RemoteTarget,
    ServerError,
    Target,
    emulator_config,
)

__all__ = [
    "ApiError",
    "Client",
    "EmulatorServer",
    "NotAvailable",
    "RecordedRequest",
    "RemoteTarget",
    "ServerError",
    "Target",
    "emulator_config",
    "exchange_anonymous_token",
    "key_token",
    "sign_key_token",
]
