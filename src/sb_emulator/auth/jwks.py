"""JSON Web Key Sets: the default fetcher (urllib in a thread, short timeout, small cache) and
key selection for a token header.

The token exchange receives its fetcher by injection (``fetch_jwks(url) -> dict``), so the
caller decides how HTTP is done; :func:`fetch_jwks_urllib` is the standard-library default.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import jwt

from sb_emulator.errors import ApiError

FETCH_TIMEOUT_S = 5.0
CACHE_TTL_S = 60.0
CACHE_SIZE = 32
MAX_JWKS_BYTES = 1 << 20


class JwksUnavailable(ApiError):
    """An identity provider's JWKS could not be fetched or is not a JWKS (the upstream failed,
    not the caller: 502)."""

    status = 502
    default_code = "jwks-unavailable"


class JwksCache:
    """url → JWKS, each entry kept ``ttl_s`` seconds, at most ``size`` entries (LRU)."""

    def __init__(self, ttl_s: float = CACHE_TTL_S, size: int = CACHE_SIZE) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, url: str) -> dict[str, Any] | None:
        entry = self._entries.get(url)
        if entry is None or time.monotonic() - entry[0] > self._ttl_s:
            return None
        self._entries.move_to_end(url)
        return entry[1]

    def put(self, url: str, jwks: dict[str, Any]) -> None:
        self._entries[url] = (time.monotonic(), jwks)
        self._entries.move_to_end(url)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


DEFAULT_CACHE = JwksCache()


async def fetch_jwks_urllib(url: str, *, cache: JwksCache = DEFAULT_CACHE) -> dict[str, Any]:
    """GET ``url`` and return its JWKS (``{"keys": [...]}``); raises :class:`JwksUnavailable`."""
    cached = cache.get(url)
    if cached is not None:
        return cached
    body = await asyncio.to_thread(_get, url)
    jwks = parse_jwks(url, body)
    cache.put(url, jwks)
    return jwks


def _get(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise JwksUnavailable(f"JWKS URL {url!r} is not an http(s) URL")
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
    except urllib.error.HTTPError as e:
        e.close()  # an HTTPError holds the open response; leaving it leaks the socket
        raise JwksUnavailable(f"could not fetch the JWKS at {url}: HTTP {e.code}") from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise JwksUnavailable(f"could not fetch the JWKS at {url}: {e}") from e
    if len(body) > MAX_JWKS_BYTES:
        raise JwksUnavailable(f"the JWKS at {url} is larger than {MAX_JWKS_BYTES} bytes")
    return body


def parse_jwks(url: str, body: bytes) -> dict[str, Any]:
    try:
        jwks = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise JwksUnavailable(f"the JWKS at {url} is not JSON: {e}") from e
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise JwksUnavailable(f"the document at {url} is not a JWKS (no 'keys' array)")
    return jwks


def candidate_keys(jwks: Mapping[str, Any], header: Mapping[str, Any]) -> list[jwt.PyJWK]:
    """The keys of ``jwks`` that may have signed a token with ``header``, best first.

    With a ``kid`` only that key qualifies; without one, every signing key usable with the
    header's ``alg``. Keys PyJWT cannot load (unknown ``kty``, bad numbers) are skipped.
    """
    alg = header.get("alg")
    kid = header.get("kid")
    out: list[jwt.PyJWK] = []
    for entry in jwks.get("keys", []):
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        if kid is not None and entry.get("kid") != kid:
            continue
        if entry.get("alg") not in (None, alg):
            continue
        try:
            out.append(jwt.PyJWK(entry, algorithm=alg))
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, KeyError):
            continue  # not usable with this alg: leave it for tokens it fits
    return out


def describe_kids(jwks: Mapping[str, Any]) -> str:
    kids = [entry.get("kid") for entry in jwks.get("keys", []) if isinstance(entry, dict)]
    return ", ".join(repr(kid) for kid in kids) or "no keys"
