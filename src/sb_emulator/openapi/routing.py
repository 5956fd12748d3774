"""Matching a request's method and path to an operation of the spec.

Built once from the path templates. A fully literal path is one dictionary look-up; a
templated one is compared segment by segment against the templates with the same number of
segments, most literal first (``/machines/{m}/v`` is tried before ``/machines/{m}/{x}``, as
OpenAPI asks). Segments are percent-decoded before comparison, like aiohttp's router does.
HEAD falls back to the GET operation of the same path when there is no HEAD operation
(aiohttp serves HEAD through GET routes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

from sb_emulator.openapi.loader import SpecError

T = TypeVar("T")


@dataclass(frozen=True)
class _Template(Generic[T]):
    path: str
    segments: tuple[str | None, ...]  # None where a parameter goes
    names: tuple[str, ...]  # parameter names, in path order
    target: T

    def match(self, parts: list[str]) -> dict[str, str] | None:
        values: list[str] = []
        for expected, actual in zip(self.segments, parts, strict=True):
            if expected is None:
                if not actual:
                    return None
                values.append(actual)
            elif expected != actual:
                return None
        return dict(zip(self.names, values, strict=True))


class RouteTable(Generic[T]):
    """``(method, path template) -> target``, matched against concrete request paths."""

    def __init__(self, routes: Iterable[tuple[str, str, T]]) -> None:
        self._literal: dict[tuple[str, str], T] = {}
        self._templated: dict[tuple[str, int], list[_Template[T]]] = {}
        shapes: dict[tuple[str, tuple[str | None, ...]], str] = {}
        for method, path, target in routes:
            template = _parse(path, target)
            key = (method.lower(), template.segments)
            if key in shapes:
                raise SpecError(f"{method.upper()} {path} is indistinguishable from "
                                f"{method.upper()} {shapes[key]}")
            shapes[key] = path
            if not template.names:
                self._literal[(method.lower(), path)] = target
            else:
                bucket = (method.lower(), len(template.segments))
                self._templated.setdefault(bucket, []).append(template)
        for templates in self._templated.values():
            # literal segments beat parameters, position by position from the left
            templates.sort(key=lambda t: tuple(s is None for s in t.segments))

    def match(self, method: str, path: str) -> tuple[T, dict[str, str]] | None:
        """The target and the decoded path parameters for a request path (query ignored)."""
        path = path.split("?", 1)[0]
        lowered = method.lower()
        found = self._match(lowered, path)
        if found is None and lowered == "head":
            found = self._match("get", path)
        return found

    def _match(self, method: str, path: str) -> tuple[T, dict[str, str]] | None:
        target = self._literal.get((method, path))
        if target is not None:
            return target, {}
        parts = [unquote(p) if "%" in p else p for p in path.split("/")[1:]]
        for template in self._templated.get((method, len(parts)), ()):
            values = template.match(parts)
            if values is not None:
                return template.target, values
        if "%" in path:  # an encoded literal path such as /%6Dachines
            target = self._literal.get((method, "/" + "/".join(parts)))
            if target is not None:
                return target, {}
        return None


def _parse(path: str, target: T) -> _Template[T]:
    segments: list[str | None] = []
    names: list[str] = []
    for segment in path.split("/")[1:]:
        if segment.startswith("{") and segment.endswith("}"):
            segments.append(None)
            names.append(segment[1:-1])
        else:
            segments.append(segment)
    return _Template(path, tuple(segments), tuple(names), target)
