"""What the contract suite needs beyond the spec: real machines and instances to aim at.

Random path parameters almost never name an existing machine, so most generated requests
would only ever see 404s. The suite therefore creates a few instances first and widens the
spec's ``machineSlug`` / ``instanceSlug`` parameters to ``anyOf [original, enum of real
names]``: generated values stay valid for the original schema, and about half of them reach
real machines and instances.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sb_emulator.testing import ApiError, Client

BUNDLED_MACHINES = Path(__file__).with_name("machines")
INSTANCES_PER_MACHINE = 2


@dataclass(frozen=True)
class ContractWorld:
    base_url: str
    token: str
    machines: tuple[str, ...]
    instances: tuple[str, ...]

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    @property
    def known_values(self) -> dict[str, tuple[str, ...]]:
        return {"machineSlug": self.machines, "instanceSlug": self.instances}


def build_world(client: Client) -> ContractWorld:
    """Create ``contract-<n>`` instances of every machine the target has (4xx are skipped:
    a user's authorizer may refuse, a machine may need a particular context)."""
    machines = tuple(m["slug"] for m in client.list_machines())
    instances: list[str] = []
    for machine in machines:
        for n in range(1, INSTANCES_PER_MACHINE + 1):
            slug = f"contract-{n}"
            try:
                client.create_instance(machine, slug)
            except ApiError as err:
                if err.status >= 500 or err.status == 401:
                    raise
                if err.status != 409:  # 409: left over from an earlier run, still usable
                    continue
            if slug not in instances:
                instances.append(slug)
    return ContractWorld(client.base_url, client.token or "", machines, tuple(instances))


def widen_parameters(
    spec: Mapping[str, Any], known: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """A copy of ``spec`` whose path parameters named in ``known`` also offer those values."""
    document = copy.deepcopy(dict(spec))
    for parameter in _all_parameters(document):
        values = known.get(parameter.get("name", ""))
        if parameter.get("in") == "path" and values and "schema" in parameter:
            parameter["schema"] = {"anyOf": [parameter["schema"], {"enum": list(values)}]}
    return document


def _all_parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter object: shared components and the ones inline in paths/operations."""
    found = list(document.get("components", {}).get("parameters", {}).values())
    for path_item in document.get("paths", {}).values():
        found.extend(p for p in path_item.get("parameters", []) if "$ref" not in p)
        for operation in path_item.values():
            if isinstance(operation, dict):
                found.extend(p for p in operation.get("parameters", []) if "$ref" not in p)
    return [p for p in found if isinstance(p, dict)]
