"""Small helpers shared by the REST integration tests."""

from __future__ import annotations


def bearer(token: str) -> dict[str, str]:
    """The headers the real client sends on every REST call (API.md §9)."""
    return {"authorization": f"Bearer {token}", "content-type": "application/json"}
