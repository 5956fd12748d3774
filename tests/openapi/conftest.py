"""Shared fixtures for the OpenAPI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sb_emulator.openapi import OpenApiSpec

REPO = Path(__file__).resolve().parents[2]
# The upstream State Backed spec, kept beside the repository (never copied into it).
UPSTREAM = REPO.parent / "shared" / "reference" / "statebacked.openapi.v3.yaml"


@pytest.fixture(scope="session")
def spec() -> OpenApiSpec:
    return OpenApiSpec.load()
