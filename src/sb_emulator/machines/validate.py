"""``sb-emulator validate PATH...``: check definitions, print every problem or a summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_path


def main(paths: Sequence[str]) -> int:
    problems: list[str] = []
    summaries: list[str] = []
    for path in paths:
        try:
            summaries.extend(d.summary() for d in load_path(path))
        except DefinitionError as err:
            problems.extend(err.problems)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    for line in summaries:
        print(f"ok  {line}")
    return 0
