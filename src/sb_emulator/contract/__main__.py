"""``python -m sb_emulator.contract``: run the contract suite from the command line.

Everything after ``--`` goes to pytest unchanged (``-x``, ``-k stateful``, ``-n 2`` ...).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sb_emulator.contract import SUITE_PATH


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sb_emulator.contract",
        description="Check an emulator or a State Backed deployment against the OpenAPI spec "
        "with schemathesis (no 5xx, declared status codes, conforming bodies).",
    )
    parser.add_argument(
        "--machines", action="append", default=[], metavar="PATH",
        help="embedded emulator: machine definitions to load (default: a bundled machine)",
    )
    parser.add_argument("--target", metavar="URL", help="run against this deployment instead")
    parser.add_argument("--key-id", help="the deployment key id (with --target)")
    parser.add_argument("--key-secret", help="the deployment key secret (with --target)")
    parser.add_argument("--org-id", help="the deployment's org id (with --target)")
    parser.add_argument(
        "--max-examples", type=int, default=None, metavar="N",
        help="examples generated per operation (default 25)",
    )
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    return parser


def pytest_arguments(ns: argparse.Namespace) -> list[str]:
    args = [str(SUITE_PATH), "-p", "no:cacheprovider", "--rootdir", os.getcwd()]
    for path in ns.machines:
        args += ["--sb-machines", os.path.abspath(path)]
    if ns.target:
        args += ["--sb-target", ns.target]
    for flag, value in (
        ("--sb-key-id", ns.key_id), ("--sb-key-secret", ns.key_secret), ("--sb-org-id", ns.org_id)
    ):
        if value:
            args += [flag, value]
    return args + list(ns.pytest_args)


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    if ns.target and ns.machines:
        build_parser().error("--machines loads an embedded emulator; a --target is as deployed")
    if ns.max_examples is not None:
        os.environ["SB_EMULATOR_CONTRACT_MAX_EXAMPLES"] = str(ns.max_examples)
    import pytest

    return int(pytest.main(pytest_arguments(ns)))


if __name__ == "__main__":
    sys.exit(main())
