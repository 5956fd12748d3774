"""Unique instance names, so tests stay independent where nothing is reset between them.

Against a deployment (contract mode) every run meets the instances of the runs before it and,
with pytest-xdist, of the other workers: a fixed slug is a 409 the second time. Names are
therefore ``PREFIX-RUN-N``: ``RUN`` random per session (per xdist worker), ``N`` counting
within it. The embedded emulator is fresh for every run, so there the names stay short and
readable: ``PREFIX-N``.
"""

from __future__ import annotations

import itertools
import re
import secrets

SLUG_CHARS = re.compile(r"[a-zA-Z0-9_-]+")
MAX_SLUG_LENGTH = 128  # MachineInstanceSlug: ^[a-zA-Z0-9_-]{1,128}$
TEST_NAME_LENGTH = 60  # of sb_slug's prefix: room for the run id and the counter


class UniqueNames:
    """``names("order")`` -> ``"order-1"``, then ``"order-2"``, ... (``"order-3f9a1c2e-1"``
    with a run id); every call a new name, never repeated within the session."""

    def __init__(self, run_id: str = ""):
        self.run_id = run_id
        self._counter = itertools.count(1)

    @classmethod
    def for_run(cls, shared_with_other_runs: bool) -> UniqueNames:
        return cls(secrets.token_hex(4) if shared_with_other_runs else "")

    def __call__(self, prefix: str = "sb") -> str:
        if not isinstance(prefix, str) or not SLUG_CHARS.fullmatch(prefix):
            raise ValueError(
                f"sb_unique: prefix {prefix!r} is not a valid slug start; expected letters, "
                "digits, '-' and '_'"
            )
        parts = [prefix, self.run_id, str(next(self._counter))]
        name = "-".join(part for part in parts if part)
        if len(name) > MAX_SLUG_LENGTH:
            raise ValueError(
                f"sb_unique: {name!r} is {len(name)} characters long; expected a prefix short "
                f"enough for a slug of at most {MAX_SLUG_LENGTH}"
            )
        return name

    def for_test(self, test_name: str) -> str:
        """A unique name that starts with (a slug-safe, shortened form of) the test's name."""
        readable = re.sub(r"[^a-zA-Z0-9_-]+", "-", test_name).strip("-")
        return self(readable[:TEST_NAME_LENGTH].rstrip("-") or "test")
