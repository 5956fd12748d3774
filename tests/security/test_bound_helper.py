"""The bound itself must bite: a runaway allocation inside a bounded block fails."""

from __future__ import annotations

import pytest

from tests.security.conftest import bounded


def test_an_allocation_over_the_bound_fails_fast() -> None:
    with pytest.raises((MemoryError, AssertionError)), bounded(seconds=30, megabytes=64):
        hog = bytearray(2 * 2**30)  # 2 GiB: over the address-space limit, refused at once
        hog[-1] = 1


def test_a_small_allocation_passes() -> None:
    with bounded(seconds=30, megabytes=64):
        data = bytearray(2**20)
        data[-1] = 1
