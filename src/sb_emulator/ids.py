"""Identifiers in State Backed's formats (API.md §1.3). Standard library only (layer 1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid


def b64url(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pretty_id(prefix: str) -> str:
    """``prefix_`` + base64url of 16 random bytes (22 characters), like ``toPrettyId``."""
    return f"{prefix}_{b64url(uuid.uuid4().bytes)}"


def org_id() -> str:
    return pretty_id("org")


def version_id() -> str:
    return pretty_id("ver")


def migration_id() -> str:
    return pretty_id("mig")


def key_id() -> str:
    return pretty_id("sbk")


def key_secret() -> str:
    return "sbsec_" + secrets.token_urlsafe(32)


def hmac_confirmation(machine_name: str, data: str) -> str:
    """The deletion confirmation value: base64url(HMAC-SHA256(key=machine name, data))."""
    digest = hmac.new(machine_name.encode(), data.encode(), hashlib.sha256).digest()
    return b64url(digest)
