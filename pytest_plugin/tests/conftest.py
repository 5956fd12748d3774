"""The plugin's own tests: pytester runs whole pytest sessions that use the plugin."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_support import Deployment, start_deployment

pytest_plugins = ["pytester"]

CONTRACT_MACHINES = Path(__file__).parent / "machines"


@pytest.fixture(scope="session")
def deployment() -> Iterator[Deployment]:
    """A second sb-emulator process, started once for the plugin's contract-mode tests."""
    yield from start_deployment(CONTRACT_MACHINES)
