"""Who may call the control API (``/_emulator/*``): local programs and same-origin pages only.

The control API is unauthenticated (it exports every key secret, resets and imports state),
so it must not be reachable from other web pages in the developer's browser:

* CORS: ``cors.py`` adds no CORS headers on these routes and answers no preflight for them;
  a request carrying an ``Origin`` other than the emulator's own (``http://`` + its ``Host``)
  is refused, so is one a browser marks ``Sec-Fetch-Site: cross-site``/``same-site`` (a
  ``<form>``, ``<img>`` or ``<script>`` request may carry no ``Origin``);
* DNS rebinding: a page on ``evil.example`` whose name starts resolving to 127.0.0.1 is
  same-origin for the browser, but its requests say ``Host: evil.example``. Only loopback
  names (``127.0.0.1``, ``localhost``, ``[::1]``) and the configured ``--host`` are
  accepted, with any port.

Python callers (the pytest plugin, the CLI, curl) send no ``Origin`` and a loopback ``Host``;
a request with no ``Host`` at all (HTTP/1.0) cannot come from a browser and is let through.
Pure functions over header values: no aiohttp here.
"""

from __future__ import annotations

from sb_emulator.auth.operations import CONTROL_PREFIX, UPLOAD_PATH
from sb_emulator.errors import Forbidden

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
_OTHER_SITES = frozenset({"cross-site", "same-site"})


class UntrustedHost(Forbidden):
    """The ``Host`` header names neither loopback nor the configured host."""

    default_code = "untrusted-host"


class CrossOriginRefused(Forbidden):
    """The request comes from another web page (``Origin``, ``Sec-Fetch-Site``)."""

    default_code = "cross-origin-refused"


# The version-upload endpoint lives under the prefix but belongs to the emulated API: it
# stands in for the hosted service's S3 upload URL, its upload id is the capability, and the
# client posts to it from wherever it runs (a browser included).
UPLOAD_PREFIX = UPLOAD_PATH + "/"


def is_control_path(path: str) -> bool:
    if path == CONTROL_PREFIX:
        return True
    return path.startswith(CONTROL_PREFIX + "/") and not path.startswith(UPLOAD_PREFIX)


def allowed_control_hosts(configured_host: str) -> frozenset[str]:
    """Loopback names plus the host the emulator was told to bind.

    A wildcard bind (``0.0.0.0``) stays allowed as a name because the test plugin addresses
    the emulator by its configured host; no rebinding page can send it as its ``Host`` (that
    is the page's own domain name), and a page addressing ``http://0.0.0.0`` directly is
    cross-origin, so the ``Origin`` check still refuses it.
    """
    name = _bracketed(configured_host.strip().lower())
    return LOOPBACK_HOSTS | {name} if name else LOOPBACK_HOSTS


def control_refusal(
    *,
    host: str | None,
    origin: str | None,
    sec_fetch_site: str | None,
    allowed_hosts: frozenset[str],
) -> Forbidden | None:
    """Why a request to the control API is refused (a 403 to send), or ``None`` to serve it."""
    if host is not None and host_name(host) not in allowed_hosts:
        return UntrustedHost(
            f"the control API answers only requests addressed to this machine: Host {host!r} "
            f"is not one of {', '.join(sorted(allowed_hosts))} (any port); a web page reaching "
            "the emulator through another name (DNS rebinding) is refused",
        )
    if origin is not None and (host is None or origin.lower() != f"http://{host.lower()}"):
        return CrossOriginRefused(
            f"the control API does not answer other web pages: Origin {origin!r} is not this "
            "emulator's own origin (call /_emulator/* from a local program, or same-origin)",
        )
    if sec_fetch_site is not None and sec_fetch_site.lower() in _OTHER_SITES:
        return CrossOriginRefused(
            f"the control API does not answer other web pages (Sec-Fetch-Site: {sec_fetch_site})",
        )
    return None


def host_name(host: str) -> str:
    """The name part of a ``Host`` header, lower-cased: ``[::1]:8765`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        name, bracket, rest = host.partition("]")
        if bracket and (not rest or _is_port(rest)):
            return name + "]"
        return host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def _is_port(rest: str) -> bool:
    return rest.startswith(":") and rest[1:].isdigit()


def _bracketed(host: str) -> str:
    """An IPv6 bind address as a Host header writes it: ``::1`` -> ``[::1]``."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
