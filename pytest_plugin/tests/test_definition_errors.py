"""A broken or missing machine file reads as the user's mistake, not as a plugin crash."""

from __future__ import annotations

import pytest
from plugin_support import INNER_ARGS

BROKEN_YAML = """\
name: broken
machine:
  initial: idle
  states:
    idle:
      on:
        go: nowhere
allowRead: true
allowWrite: true
"""

# What the loader says about BROKEN_YAML (FILE:LINE: PATH: what is wrong; expected ...).
LOADER_MESSAGE = "*broken.yaml:7: machine.states.idle.on.go*nowhere*"
# Names that only a traceback through the plugin and the facade would show.
PLUGIN_INTERNALS = (
    "pytest_sb_emulator", "plugin.py", "handles.py", "definitions.py", "targets.py",
    "Traceback", "concurrent/futures", "RuntimeError",
)


def assert_no_plugin_internals(result: pytest.RunResult) -> None:
    """The report of the failing test (its ERRORS/FAILURES section) names no plugin code."""
    output = "\n".join(result.outlines)
    start = max(output.find("= ERRORS ="), output.find("= FAILURES ="))
    # (the warnings summary of an inner run in a busy process may name the plugin's module)
    end = min(i for i in (output.find("warnings summary", start),
                          output.find("short test summary info", start), len(output)) if i >= 0)
    assert start >= 0, output
    report = output[start:end]
    shown = [name for name in PLUGIN_INTERNALS if name in report]
    assert shown == [], report


def test_broken_machine_of_a_marker_shows_only_the_message(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", broken=BROKEN_YAML)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sb_machines("broken.yaml")
        def test_uses_it(sb_client):
            pass
        """
    )
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_uses_it*",
            "sb-emulator could not load the machine definitions of @pytest.mark.sb_machines:",
            LOADER_MESSAGE,
        ]
    )
    assert_no_plugin_internals(result)


def test_broken_machine_on_the_command_line_shows_only_the_message(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".yaml", broken=BROKEN_YAML)
    pytester.makepyfile("def test_uses_it(sb_client):\n    pass\n")
    result = pytester.runpytest(*INNER_ARGS, "--sb-machines", "broken.yaml")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["sb-emulator could not load the run's machine definitions (--sb-machines*", LOADER_MESSAGE]
    )
    assert_no_plugin_internals(result)


def test_broken_machine_loaded_at_run_time_shows_only_the_message(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".yaml", broken=BROKEN_YAML)
    pytester.makepyfile("def test_loads(sb_emulator):\n    sb_emulator.load('broken.yaml')\n")
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["sb-emulator could not load the machine definitions of sb_emulator.load():", LOADER_MESSAGE]
    )
    assert_no_plugin_internals(result)


def test_missing_marker_file_names_the_absolute_path_beside_the_test(
    pytester: pytest.Pytester,
) -> None:
    tests = pytester.mkdir("tests")
    (tests / "test_it.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.sb_machines('machines/absent.yaml')\n"
        "def test_uses_it(sb_client):\n    pass\n"
    )
    # Run from elsewhere: the path tried is beside the test file, not under the working dir.
    result = pytester.runpytest(*INNER_ARGS, str(tests))
    result.assert_outcomes(errors=1)
    tried = tests / "machines" / "absent.yaml"
    result.stdout.fnmatch_lines(
        [
            f"@pytest.mark.sb_machines: {tried}: no such file or folder",
            "(@pytest.mark.sb_machines paths are relative to the test file's folder, "
            f"{tests})",
        ]
    )
    assert str(pytester.path / "machines" / "absent.yaml") not in result.stdout.str()
    assert_no_plugin_internals(result)


def test_missing_command_line_file_names_the_absolute_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses_it(sb_client):\n    pass\n")
    result = pytester.runpytest(*INNER_ARGS, "--sb-machines", "absent")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"--sb-machines: {pytester.path / 'absent'}: no such file or folder",
            f"(--sb-machines paths are relative to the working directory, {pytester.path})",
        ]
    )
    assert_no_plugin_internals(result)


def test_missing_ini_file_names_the_absolute_path(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsb_machines = machines/absent.yaml\n")
    pytester.makepyfile("def test_uses_it(sb_client):\n    pass\n")
    result = pytester.runpytest(*INNER_ARGS)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "the ini option sb_machines: "
            f"{pytester.path / 'machines' / 'absent.yaml'}: no such file or folder",
            f"(the ini option sb_machines paths are relative to the ini file's folder, "
            f"{pytester.path})",
        ]
    )
    assert_no_plugin_internals(result)
