"""Shared fixtures for the OpenAPI tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from sb_emulator.openapi import OpenApiSpec

REPO = Path(__file__).resolve().parents[2]
# The upstream State Backed spec, kept beside the repository (never copied into it).
UPSTREAM = REPO.parent / "shared" / "reference" / "statebacked.openapi.v3.yaml"


@cache
def read_upstream() -> dict[str, Any] | None:
    """The upstream spec, parsed once; None when it is not beside the repository."""
    if not UPSTREAM.exists():
        return None
    document: dict[str, Any] = YAML(typ="safe", pure=True).load(UPSTREAM.read_text())
    return document


def resolve_ref(node: Any, document: dict[str, Any]) -> Any:
    """``node`` with its ``$ref`` chain followed inside ``document``."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


@pytest.fixture(scope="session")
def spec() -> OpenApiSpec:
    return OpenApiSpec.load()
