"""The application layer: everything between an HTTP request and the state (no aiohttp).

An input to an instance goes through three levels (docs/CONTRACTS.md §3.1-3.3):

* ``version_runtime`` the seam that runs one machine version's code; ``engine_runtime`` is
                    its Python-engine implementation (YAML and Python definitions)
* ``instance_core`` pure: a stored instance, its version runtime and one input in, a
                    ``Commit`` out (no I/O, no clock, no asyncio)
* ``runtime``       the runner: makes a commit durable in one store transaction, then carries
                    out its effects (services, settling, actions, logs, publishing, ``outbox``)

with the stored documents as typed records (``records``). ``Emulator`` is the facade the web
layer calls (docs/CONTRACTS.md §3). It is assembled from one mixin per concern, each in its
own module:

* ``core``       state, persistence, lookups, the loaded version runtimes, pagination
* ``admin``      orgs, keys, identity/token providers, token exchange, billing
* ``catalog``    machines, versions (upload flow), migrations, the version runtime
* ``instances``  instance operations, index queries, logs
* ``runtime``    the runner: delivering events, settling, services, actions, logs, subscribers
* ``timers``     durable delayed events and the manual clock
* ``children``   persistent child instances and events between instances
* ``migrations`` reaching a desired version through the migration graph
* ``httpapi``    the HTTP API feature
* ``control``    start-up, reset, export and import
"""

from __future__ import annotations

from sb_emulator.clock import Clock
from sb_emulator.service.admin import AdminMixin
from sb_emulator.service.catalog import CatalogMixin
from sb_emulator.service.children import ChildrenMixin
from sb_emulator.service.control import ControlMixin
from sb_emulator.service.core import Instance, ServiceSettings
from sb_emulator.service.engine_runtime import EngineLoader
from sb_emulator.service.httpapi import HttpApiMixin
from sb_emulator.service.instances import InstancesMixin
from sb_emulator.service.migrations import MigrationsMixin
from sb_emulator.service.version_runtime import RuntimeLoader, VersionRuntime
from sb_emulator.store.base import Store

__all__ = [
    "Emulator",
    "EngineLoader",
    "Instance",
    "RuntimeLoader",
    "ServiceSettings",
    "VersionRuntime",
]


class Emulator(
    AdminMixin,
    CatalogMixin,
    InstancesMixin,
    HttpApiMixin,
    ChildrenMixin,
    MigrationsMixin,
    ControlMixin,
):
    """The emulated State Backed service."""

    def __init__(self, *, store: Store, clock: Clock, settings: ServiceSettings | None = None,
                 loader: RuntimeLoader | None = None) -> None:
        # the versions' code runs in the Python engine unless another runtime is given
        super().__init__(store=store, clock=clock, settings=settings,
                         loader=loader if loader is not None else EngineLoader())
        self.load_from_store()
