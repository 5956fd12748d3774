"""Machine definition paths given to the plugin, and their mistakes reported without noise.

A missing file or a definition with a mistake is the user's to fix, not a bug of the plugin:
it fails the test with the loader's own message (``FILE:LINE: PATH: what is wrong ...``) and
no traceback through the plugin and the facade (``pytest.fail(..., pytrace=False)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest

from sb_emulator.errors import DefinitionError

T = TypeVar("T")

MARKER = "@pytest.mark.sb_machines"
OPTION = "--sb-machines"
INI = "the ini option sb_machines"
RUN_WIDE = f"{OPTION}, {INI} or the sb_emulator_config fixture"


def resolve_path(path: str | Path, base_dir: Path) -> Path:
    """``path`` as an absolute path, a relative one taken from ``base_dir``."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else base_dir / candidate


def check_exist(paths: Iterable[Path], origin: str, relative_to: str) -> None:
    """Fail cleanly naming every path of ``paths`` that does not exist, as tried (absolute).

    ``relative_to`` says where relative paths of ``origin`` are taken from.
    """
    missing = [path for path in paths if not path.exists()]
    if missing:
        lines = [f"{origin}: {path}: no such file or folder" for path in missing]
        fail_cleanly("\n".join([*lines, f"({origin} paths are relative to {relative_to})"]))


def load_cleanly(origin: str, load: Callable[[], T]) -> T:
    """Run ``load``; a mistake in a definition fails the test with the loader's message."""
    try:
        return load()
    except DefinitionError as err:
        mistake = err
    # Failed outside the except block: the loader's exception is not chained into the report.
    fail_with_definition_error(f"the machine definitions of {origin}", mistake)


def start_cleanly(start: Callable[[], T]) -> T:
    """Start a server; a start-up stopped by a definition mistake fails with its message."""
    try:
        return start()
    except RuntimeError as err:
        if not isinstance(err.__cause__, DefinitionError):
            raise
        mistake = err.__cause__
    fail_with_definition_error(f"the run's machine definitions ({RUN_WIDE})", mistake)


def fail_with_definition_error(what: str, err: DefinitionError) -> NoReturn:
    problems: Sequence[str] = err.problems or [str(err)]
    fail_cleanly("\n".join([f"sb-emulator could not load {what}:", *problems]))


def fail_cleanly(message: str) -> NoReturn:
    __tracebackhide__ = True
    pytest.fail(message, pytrace=False)
