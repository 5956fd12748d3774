"""The reusable contract suite: the emulated API checked against its own OpenAPI spec.

``python -m sb_emulator.contract`` runs it against an embedded emulator (with your
``--machines``) or, with ``--target URL --key-id ID --key-secret S``, against a deployment.
The tests themselves live in :mod:`sb_emulator.contract.suite` (pytest, schemathesis);
nothing here imports schemathesis until the suite runs.
"""

from __future__ import annotations

from pathlib import Path

SUITE_PATH = Path(__file__).with_name("suite.py")

__all__ = ["SUITE_PATH"]
