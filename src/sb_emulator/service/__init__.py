"""The application layer: everything between an HTTP request and the state (no aiohttp).

An input to an instance goes through three levels (docs/CONTRACTS.md §3.1-3.3):

* ``version_runtime`` the seam that runs one machine version's code; ``engine_runtime`` is
                    its Python-engine implementation (YAML and Python definitions)
* ``instance_core`` pure: a stored instance, its version runtime and one input in, a
                    ``Commit`` out (no I/O, no clock, no asyncio)
* ``runtime``       the runner: makes a commit durable in one store transaction, then carries
                    out its effects (services, settling, actions, logs, publishing, ``outbox``)

with the stored documents as typed records (``records``). ``Emulator`` is the facade the web
layer calls (docs/CONTRACTS.md §3): the shared state (``core``, its base) that builds and
holds the runner and eight components, each given the core (and what else it needs) in its
constructor:

* ``admin``      ``Admin``: orgs, keys, identity/token providers, token exchange, billing
* ``catalog``    ``Catalog``: machines, versions (upload flow), uploaded migrations
* ``migrations`` ``Migrations``: reaching a desired version through the migration graph
* ``httpapi``    ``HttpApi``: the HTTP API feature (given the instance operations too)
* ``control``    ``Control``: start-up, shutdown, reset, export and import
* ``instances``  ``Instances``: instance operations, index queries, logs
* ``timers``     ``Timers``: durable delayed events and the manual clock
* ``children``   ``Children``: persistent children and events between instances

``core`` holds the state (documents, live instances, transitions, loaded version runtimes),
persistence, lookups and pagination.
"""

from __future__ import annotations

from sb_emulator.clock import Clock
from sb_emulator.service.admin import Admin
from sb_emulator.service.catalog import Catalog
from sb_emulator.service.children import Children
from sb_emulator.service.control import Control
from sb_emulator.service.core import EmulatorCore, Instance, ServiceSettings
from sb_emulator.service.engine_runtime import EngineLoader
from sb_emulator.service.httpapi import HttpApi
from sb_emulator.service.instances import Instances
from sb_emulator.service.migrations import Migrations
from sb_emulator.service.runtime import Runner
from sb_emulator.service.timers import Timers
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


class Emulator(EmulatorCore):
    """The emulated State Backed service."""

    def __init__(self, *, store: Store, clock: Clock, settings: ServiceSettings | None = None,
                 loader: RuntimeLoader | None = None) -> None:
        # the versions' code runs in the Python engine unless another runtime is given
        super().__init__(store=store, clock=clock, settings=settings,
                         loader=loader if loader is not None else EngineLoader())
        self.admin = admin = Admin(self)
        self.catalog = catalog = Catalog(self)
        # their operations, as the web layer and the tests call them (docs/CONTRACTS.md §3)
        self.ensure_org, self.create_org = admin.ensure_org, admin.create_org
        self.list_orgs, self.billing = admin.list_orgs, admin.billing
        self.add_key, self.find_key, self.create_key = admin.add_key, admin.find_key, admin.create_key
        self.list_keys, self.delete_key = admin.list_keys, admin.delete_key
        self.upsert_idp, self.list_idps, self.delete_idp = (
            admin.upsert_idp, admin.list_idps, admin.delete_idp)
        self.upsert_token_provider, self.list_token_providers, self.delete_token_provider = (
            admin.upsert_token_provider, admin.list_token_providers, admin.delete_token_provider)
        self.exchange_token = admin.exchange_token
        self.register_definition = catalog.register_definition
        self.list_machines, self.create_machine = catalog.list_machines, catalog.create_machine
        self.get_machine, self.delete_machine = catalog.get_machine, catalog.delete_machine
        self.list_versions = catalog.list_versions
        self.provisionally_create_version = catalog.provisionally_create_version
        self.receive_upload, self.finalize_version = (
            catalog.receive_upload, catalog.finalize_version)
        self.provisionally_create_migration = catalog.provisionally_create_migration
        self.finalize_migration = catalog.finalize_migration
        # the runner and the components it drives need each other: it is given them once built
        self.runner = runner = Runner(self)
        self.subscribe = runner.subscribe
        self.timers = runner.timers = Timers(self, runner)
        self.advance_clock = self.timers.advance_clock
        self.migrations = runner.migrations = Migrations(self, runner)
        self.instance_ops = ops = Instances(self, runner, self.migrations)
        self.create_instance, self.get_state, self.check_read = (
            ops.create_instance, ops.get_state, ops.check_read)
        self.send_event, self.list_instances, self.delete_instance = (
            ops.send_event, ops.list_instances, ops.delete_instance)
        self.admin_state, self.list_transitions = ops.admin_state, ops.list_transitions
        self.set_status, self.set_desired_version = ops.set_status, ops.set_desired_version
        self.query_index, self.get_logs = ops.query_index, ops.get_logs
        self.children = runner.children = Children(self, runner, self.timers, ops)
        self.http_api = HttpApi(self, ops, runner)
        self.handle_http_api = self.http_api.handle_http_api
        self.control = control = Control(self, self.timers)
        self.mark_bootstrap, self.start, self.close = control.mark_bootstrap, control.start, control.close
        self.reset, self.export_state, self.import_state = (
            control.reset, control.export_state, control.import_state)
        control.load_from_store()
