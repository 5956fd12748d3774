"""What the contract suite needs beyond the spec: real machines and instances to aim at.

Random path parameters almost never name an existing machine, so most generated requests
would only ever see 404s. The suite therefore creates a few instances first and, for about
half of the generated cases, swaps the generated ``machineSlug`` / ``instanceSlug`` for real
names (which match the spec's patterns, so the cases stay valid).
"""

from __future__ import annotations

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


def aim_at_real_names(case: Any, data: Any, world: ContractWorld) -> None:
    """About half the time, replace each generated ``machineSlug`` / ``instanceSlug`` path
    parameter by one that exists (``data``: hypothesis' ``st.data()``, so it shrinks too)."""
    from hypothesis import strategies as st

    parameters = case.path_parameters or {}
    for name, values in world.known_values.items():
        if name in parameters and values and data.draw(st.booleans(), label=f"real {name}"):
            parameters[name] = data.draw(st.sampled_from(values), label=name)
