"""Budgets for user machine code and caps on machine definitions, in one place.

Machine code (CEL expressions, the callables of Python definitions) runs on the event loop:
an expression or a function that never ends would freeze every client, and the health route
with them. These are the limits that keep it bounded; README.md ("Limits") lists them.

Standard library only (layer 1): the machines, auth and service layers all raise
:class:`BudgetExceeded`, and the authorizer check must let it through rather than turn it
into a 403.
"""

from __future__ import annotations

from sb_emulator.errors import DefinitionError, MachineImplementationError

# -- machine definitions (checked when a definition is loaded or uploaded) ----------------------
MAX_DEFINITION_CHARS = 1_000_000  # YAML text: parsing costs ~0.3 s per 100 kB
MAX_STATES = 10_000
MAX_TRANSITIONS = 50_000
MAX_EXPRESSION_CHARS = 10_000  # one CEL expression
MAX_MACRO_DEPTH = 4  # CEL macros (map, filter, all, ...) nested in one another

# -- evaluation ---------------------------------------------------------------------------------
# Estimated cost units of one CEL evaluation (celcost); measured at 0.05-0.35 µs per unit, so
# the largest evaluation allowed takes about 15-100 ms.
MAX_CEL_COST = 300_000
# Wall-clock seconds a call into a Python definition's code may hold the event loop.
PYTHON_CALL_SECONDS = 1.0


class BudgetExceeded(MachineImplementationError):
    """Machine code over one of the budgets above; the message names the code and the limit."""


class DefinitionTooLarge(DefinitionError):
    """A definition over one of the caps above, reported naming the file and the path inside
    it; the upload route answers it with 400 ``definition-too-large``."""


def count(n: int) -> str:
    """1234567 -> "1,234,567": limits read better with separators."""
    return f"{n:,}"
