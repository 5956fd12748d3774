"""Exceptions inside the emulator fail the test that caused them, with their traceback."""

from __future__ import annotations

import pytest
from plugin_support import INNER_ARGS

EXPLODING_MACHINE = '''
from sb_emulator.actions import assign

name = "exploding"
machine = {
    "initial": "idle",
    "context": {"n": 0},
    "states": {"idle": {"on": {"boom": {"actions": "explode"}}}},
}


def explode_in_machine_code(context, event):
    raise RuntimeError("boom from machine code")


actions = {"explode": assign(explode_in_machine_code)}


def allow_read(request):
    return True


def allow_write(request):
    return True
'''

TESTS = """
import pytest
from sb_emulator.testing import ApiError

pytestmark = pytest.mark.sb_machines("exploding_machine.py")

def test_server_side_failure_is_raised_here(sb_client):
    sb_client.create_instance("exploding", "e1")
    with pytest.raises(ApiError):
        sb_client.send_event("exploding", "e1", "boom")

def test_failing_test_gets_the_server_errors_as_a_section(sb_client):
    sb_client.create_instance("exploding", "e1")
    try:
        sb_client.send_event("exploding", "e1", "boom")
    finally:
        assert False, "the test's own failure"

def test_next_test_is_not_blamed(sb_client):
    assert sb_client.create_instance("exploding", "e2")["state"] == "idle"
"""


SIMULATED = """
from sb_emulator.web.keys import SERVER_ERRORS

def broken_in_the_server():
    raise RuntimeError("simulated server-side failure")

def test_failure_recorded_by_the_server_fails_the_test(sb_emulator_server, sb_client):
    try:
        broken_in_the_server()
    except RuntimeError as err:  # what web/errors.py does with an unexpected exception
        sb_emulator_server.app[SERVER_ERRORS].append(err)

def test_next_test_is_clean(sb_client):
    sb_client.list_machines()
"""


def test_errors_recorded_by_the_server_fail_the_current_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SIMULATED)
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_failure_recorded_by_the_server_fails_the_test _*",
            "*ServerError: 1 error inside sb-emulator while serving this test*",
            "*in broken_in_the_server*",
            "*RuntimeError: simulated server-side failure*",
        ]
    )


def test_machine_code_errors_fail_the_test_that_caused_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exploding_machine=EXPLODING_MACHINE, test_errors=TESTS)
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_server_side_failure_is_raised_here _*",
            "*1 error inside sb-emulator while serving this test*",
            "*in explode_in_machine_code*",
            "*RuntimeError: boom from machine code*",
            "*_ test_failing_test_gets_the_server_errors_as_a_section _*",
            "*the test's own failure*",
            "*sb-emulator server errors*",
            "*RuntimeError: boom from machine code*",
        ]
    )
