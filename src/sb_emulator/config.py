"""The emulator's settings: one frozen object built from flags, environment and defaults.

Every command-line flag of ``sb-emulator serve`` can also be given as an ``SB_EMULATOR_*``
environment variable (flag wins over environment, environment over default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Stable defaults, so that the README's copy-paste commands keep working across restarts.
# They only ever protect a server bound to 127.0.0.1 on a developer's machine.
DEFAULT_ORG_ID = "org_sbEmulatorDefaultOrg00"
DEFAULT_ADMIN_KEY_ID = "sbk_sbEmulatorAdminKey0000"
DEFAULT_ADMIN_KEY_SECRET = "sbsec_emulator-admin-secret-change-me"
DEFAULT_PRODUCTION_KEY_ID = "sbk_sbEmulatorProdKey00000"
DEFAULT_PRODUCTION_KEY_SECRET = "sbsec_emulator-production-secret-change-me"


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    machines: tuple[str, ...] = ()
    data_dir: str | None = None
    org_id: str = DEFAULT_ORG_ID
    key_id: str = DEFAULT_ADMIN_KEY_ID
    key_secret: str = DEFAULT_ADMIN_KEY_SECRET
    production_key_id: str = DEFAULT_PRODUCTION_KEY_ID
    production_key_secret: str = DEFAULT_PRODUCTION_KEY_SECRET
    clock: str = "real"
    settle_timeout_s: float = 90.0
    strict: bool = False
    import_file: str | None = None
    export_on_exit: str | None = None
    # Filled in by the server once it knows its own address (port 0 picks a free one).
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.clock not in ("real", "manual"):
            raise ValueError(f"--clock must be 'real' or 'manual', not {self.clock!r}")
        if self.settle_timeout_s <= 0:
            raise ValueError("--settle-timeout must be a positive number of seconds")
        for machine_path in self.machines:
            if not Path(machine_path).exists():
                raise ValueError(f"--machines {machine_path}: no such file or folder")


ENV_PREFIX = "SB_EMULATOR_"

# flag name -> (config field, parser)
_ENV_FIELDS: dict[str, str] = {
    "HOST": "host",
    "PORT": "port",
    "MACHINES": "machines",
    "DATA_DIR": "data_dir",
    "ORG_ID": "org_id",
    "KEY_ID": "key_id",
    "KEY_SECRET": "key_secret",
    "CLOCK": "clock",
    "SETTLE_TIMEOUT": "settle_timeout_s",
    "STRICT": "strict",
    "IMPORT": "import_file",
    "EXPORT_ON_EXIT": "export_on_exit",
}


def env_defaults(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Settings found in ``SB_EMULATOR_*`` variables, parsed to their field types."""
    env = os.environ if environ is None else environ
    out: dict[str, object] = {}
    for suffix, name in _ENV_FIELDS.items():
        raw = env.get(ENV_PREFIX + suffix)
        if raw is None or raw == "":
            continue
        out[name] = _parse_env_value(name, raw)
    return out


def _parse_env_value(name: str, raw: str) -> object:
    if name == "port":
        return int(raw)
    if name == "settle_timeout_s":
        return float(raw)
    if name == "strict":
        return raw.lower() in ("1", "true", "yes", "on")
    if name == "machines":
        return tuple(p for p in raw.split(os.pathsep) if p)
    return raw
