"""The dependency floors of pyproject.toml are real.

Everywhere, each installed direct dependency satisfies its floor. In the lowest-versions pass
of ``scripts/test.sh`` (``SB_EXPECT_FLOORS=1``, run in ``.venv-lowest``), each is installed at
exactly its floor: a floor that the resolver cannot reach (because another dependency needs
more) would otherwise go untested while the suite still passes.
"""

from __future__ import annotations

import os
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.openapi.conftest import REPO


def _direct_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(text) for text in
            [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def _floor(requirement: Requirement) -> Version:
    floors = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
    assert len(floors) == 1, f"{requirement}: declare exactly one '>=' floor"
    return floors[0]


def _same_release(a: Version, b: Version) -> bool:
    """3.14 and 3.14.0 are the same release."""
    width = max(len(a.release), len(b.release))
    return a.release + (0,) * (width - len(a.release)) == b.release + (0,) * (width - len(b.release))


@pytest.mark.parametrize("requirement", _direct_requirements(), ids=str)
def test_each_direct_dependency_is_installed_at_or_above_its_floor(requirement: Requirement
                                                                   ) -> None:
    installed = Version(metadata.version(requirement.name))
    floor = _floor(requirement)
    assert installed >= floor
    if os.environ.get("SB_EXPECT_FLOORS") == "1":
        assert _same_release(installed, floor), (
            f"{requirement.name} {installed} is installed in the lowest-versions pass: its floor "
            f"{floor} is unreachable (another dependency needs more), so raise the floor")
