"""Finding a request's route in one step instead of trying every route in turn.

aiohttp indexes resources by their literal prefix, so the fifteen ``/machines/{...}``
resources share one bucket and a request to ``POST /machines/m/i/i/events`` ran ten regular
expressions before its own: about a sixth of what the emulator spends on a small request.
:class:`TemplateIndex` stands in for all of the app's plain and templated resources: it picks
the one whose template fits the path with the same segment-by-segment table the OpenAPI
layer uses (``openapi.routing.RouteTable``), and lets that resource resolve the request as
usual (its own pattern, methods, ``match_info``), remembering the route and parameters it
found for that method and path (a test suite sends the same few paths again and again). When
the table finds nothing, every resource is tried in registration order, exactly as aiohttp
does, so 404s, 405s and any overlap between templates come out as without the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.web_urldispatcher import (
    AbstractResource,
    DynamicResource,
    PlainResource,
    UrlMappingMatchInfo,
)

from sb_emulator.openapi.routing import RouteTable

if TYPE_CHECKING:
    from aiohttp.web_urldispatcher import AbstractRoute, _InfoDict

_ANY = "any"  # the table is by path only: each resource checks the method itself
_PARAMETER = re.compile(r"\{[^}]*\}")
_SEEN_LIMIT = 4096  # resolved paths remembered (a test suite reuses a few paths many times)


class TemplateIndex(AbstractResource):
    """One resource in aiohttp's index that finds the app's real resource by template."""

    def __init__(self, resources: Sequence[AbstractResource]) -> None:
        super().__init__(name=None)
        self._resources = tuple(resources)
        by_template: dict[str, list[AbstractResource]] = {}
        for resource in resources:
            # /a/{x} and /a/{y} are one shape: grouped, tried in registration order
            shape = _PARAMETER.sub("{_}", resource.canonical)
            by_template.setdefault(shape, []).append(resource)
        # (method, path) -> the route and parameters its resource found, for recent paths
        self._seen: dict[tuple[str, str], tuple[AbstractRoute, dict[str, str]]] = {}
        self._table: RouteTable[list[AbstractResource]] = RouteTable(
            (_ANY, template, group) for template, group in by_template.items()
        )

    @property
    def canonical(self) -> str:
        return "/"  # indexed under "/", which every request path reaches last

    async def resolve(self, request: web.Request) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        path = request.rel_url.path_safe
        key = (request.method, path)
        seen = self._seen.get(key)
        if seen is not None:  # what the resource answered last time, without its regex
            route, params = seen
            return UrlMappingMatchInfo(dict(params), route), set()
        found = self._table.match(_ANY, path)
        if found is not None:
            for resource in found[0]:
                match_info, _ = await resource.resolve(request)
                if match_info is not None:
                    if len(self._seen) >= _SEEN_LIMIT:
                        self._seen.clear()
                    self._seen[key] = (match_info.route, dict(match_info))
                    return match_info, set()
        allowed: set[str] = set()
        for resource in self._resources:  # the slow path: only for what the table missed
            match_info, methods = await resource.resolve(request)
            if match_info is not None:
                return match_info, set()
            allowed |= methods
        return None, allowed

    # The rest of the resource interface: the index has no routes or URL of its own (the app's
    # resources keep theirs: ``app.router.routes()`` and ``url_for`` still work through them).

    def url_for(self, **kwargs: str) -> Any:
        raise NotImplementedError("the route index has no URL; use the resource it indexes")

    def add_prefix(self, prefix: str) -> None:
        raise RuntimeError("the route index cannot be moved under a prefix")

    def get_info(self) -> _InfoDict:
        return {"path": "/", "prefix": "/"}

    def raw_match(self, path: str) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(())


def index_routes(app: web.Application) -> None:
    """Put a :class:`TemplateIndex` in front of the app's plain and templated resources.

    Call once every route is added. The resources stay registered (``app.router.resources()``
    lists them, names and ``url_for`` work); only aiohttp's prefix index forgets them.
    """
    router = app.router
    indexed = [r for r in router.resources() if isinstance(r, PlainResource | DynamicResource)]
    for resource in indexed:
        router.unindex_resource(resource)
    router.register_resource(TemplateIndex(indexed))
