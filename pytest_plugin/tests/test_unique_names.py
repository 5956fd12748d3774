"""sb_unique / sb_slug: instance names that keep tests independent in both modes."""

from __future__ import annotations

import re

import pytest
from plugin_support import INNER_ARGS, Deployment
from pytest_sb_emulator.unique import UniqueNames


def test_names_are_new_on_every_call_and_readable_without_a_run_id() -> None:
    names = UniqueNames()
    assert [names("order"), names("order"), names("cart")] == ["order-1", "order-2", "cart-3"]


def test_a_run_id_goes_between_prefix_and_counter() -> None:
    first, second = UniqueNames.for_run(True), UniqueNames.for_run(True)
    assert re.fullmatch(r"order-[0-9a-f]{8}-1", first("order"))
    assert first.run_id != second.run_id  # two runs (or two xdist workers) never meet
    assert UniqueNames.for_run(False).run_id == ""


def test_test_names_become_slug_safe_prefixes() -> None:
    names = UniqueNames()
    assert names.for_test("test_pay[card 3/visa]") == "test_pay-card-3-visa-1"
    assert len(names.for_test("test_" + "x" * 200)) <= 128
    assert names.for_test("[]") == "test-3"


@pytest.mark.parametrize("prefix", ["", "has space", "slash/y", "x" * 127])
def test_prefixes_that_cannot_make_a_slug_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="sb_unique"):
        UniqueNames()(prefix)


COUNTER = """
name: counter
machine:
  initial: idle
  states:
    idle: {}
allowRead: true
allowWrite: true
"""


INDEPENDENT_TESTS = """
import re

import pytest

pytestmark = pytest.mark.sb_machines("counter.yaml")

SEEN = []

@pytest.mark.parametrize("n", [1, 2])
def test_creates_its_own_instances(sb_client, sb_unique, sb_slug, n):
    first, second = sb_unique("order"), sb_unique("order")
    assert first != second and sb_slug not in (first, second)
    assert re.fullmatch(PATTERN, first), first
    assert sb_slug.startswith(f"test_creates_its_own_instances-{n}-")
    for slug in (first, second, sb_slug):
        sb_client.create_instance("counter", slug)
    SEEN.extend([first, second, sb_slug])
    assert len(set(SEEN)) == len(SEEN)  # nothing repeats across the tests of the run
"""


def test_emulator_mode_names_are_short_and_unique_per_test(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", counter=COUNTER)
    pytester.makepyfile(INDEPENDENT_TESTS.replace("PATTERN", repr(r"order-\d+")))
    pytester.runpytest(*INNER_ARGS).assert_outcomes(passed=2)


def test_contract_mode_runs_do_not_collide(
    pytester: pytest.Pytester, deployment: Deployment
) -> None:
    """Nothing is reset on a deployment: the same tests, run twice, still create new instances."""
    pytester.makepyfile(INDEPENDENT_TESTS.replace("PATTERN", repr(r"order-[0-9a-f]{8}-\d+")))
    for _ in range(2):
        result = pytester.runpytest(*INNER_ARGS, *deployment.plugin_args())
        result.assert_outcomes(passed=2)

