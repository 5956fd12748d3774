"""``numeric_date``: time claims are finite numbers or absent, nothing else."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from sb_emulator.auth.time_claims import InvalidNumericDate, numeric_date, numeric_dates


@pytest.mark.parametrize("text", ["1800000000", "1800000000.5", "-5", "0", "1e308"])
def test_finite_numbers_are_read_as_floats(text: str) -> None:
    assert numeric_date(json.loads('{"exp": ' + text + "}"), "exp") == float(text)


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 10**400, True, False, None, "1", [], {}],
    ids=repr,
)
def test_anything_else_is_refused_with_the_claim_named(value: Any) -> None:
    with pytest.raises(InvalidNumericDate, match=r"^iat must be a finite number"):
        numeric_date({"iat": value}, "iat")


def test_absent_claims_are_none_and_huge_values_are_summarised() -> None:
    assert numeric_dates({}) == {"exp": None, "iat": None, "nbf": None}
    with pytest.raises(InvalidNumericDate, match="an integer of 401 digits"):
        numeric_date({"nbf": 10**400}, "nbf")
    with pytest.raises(InvalidNumericDate, match=r"got 'xxxx.*\.\.\.$"):
        numeric_date({"exp": "x" * 500}, "exp")
