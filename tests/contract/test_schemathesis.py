"""The contract suite against the embedded emulator, loaded with the project's own machines.

Every operation of the bundled OpenAPI spec, then stateful sequences along its links, with
zero 5xx, zero undeclared status codes and zero response-schema violations allowed
(``sb_emulator.contract.suite``; examples per operation: SB_EMULATOR_CONTRACT_MAX_EXAMPLES).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sb_emulator.contract.suite import (  # noqa: F401  (fixtures and tests collected here)
    sb_contract_world,
    test_operation_conforms,
    test_spec_examples_conform,
    test_stateful_sequences_conform,
)
from sb_emulator.contract.world import BUNDLED_MACHINES

REPO = Path(__file__).parents[2]

pytestmark = pytest.mark.sb_machines(str(BUNDLED_MACHINES), str(REPO / "fixtures" / "machines"))
