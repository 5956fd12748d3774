"""The HTTP layer: the only package that imports aiohttp.

``create_app(config)`` builds the application; handlers are thin (parse, call the service,
serialise) and grouped per API area under ``routes/``.
"""

from sb_emulator.web.app import create_app

__all__ = ["create_app"]
