"""The sb-emulator pytest plugin: fixtures for an embedded emulator per test session."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sb-emulator")
    group.addoption("--sb-machines", action="append", default=[], metavar="PATH",
                    help="machine definitions to load into the embedded emulator")
    parser.addini("sb_machines", "machine definitions to load (paths)", type="pathlist")
