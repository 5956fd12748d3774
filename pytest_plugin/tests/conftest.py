"""The plugin's own tests: pytester runs whole pytest sessions that use the plugin."""

from collections.abc import Iterator

import pytest
from plugin_support import CONTRACT_MACHINES, Deployment, start_deployment

# pytester's inline runs restore sys.modules after each run, and the `cel` extension module
# (pyo3) panics when it is initialised a second time in one process. Importing the server
# stack once here, before any inline run, keeps it loaded across them (and makes them fast).
import sb_emulator.web  # noqa: F401

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def deployment() -> Iterator[Deployment]:
    """A second sb-emulator process, started once for the plugin's contract-mode tests."""
    yield from start_deployment(CONTRACT_MACHINES)
