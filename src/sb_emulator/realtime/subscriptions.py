"""Which subscriptions one `/rt` connection holds (API.md §5.3 #2). Pure bookkeeping.

Subscriptions are keyed by ``requestId``; several requestIds may watch the same instance, and
the connection then watches that instance once (one ``instance-update`` per state change per
(connection, instance): the client fans it out to its listeners itself). The table tells the
caller when an instance gains its first requestId (start watching it) and when it loses its
last one (stop watching it).
"""

from __future__ import annotations

from dataclasses import dataclass

InstanceKey = tuple[str, str]  # (machineName, machineInstanceName)


@dataclass(frozen=True)
class Added:
    first_for_instance: bool  # the instance was not watched before: start watching it
    vacated: InstanceKey | None  # the requestId moved away and left this instance unwatched


class SubscriptionTable:
    def __init__(self) -> None:
        self._by_request: dict[str, InstanceKey] = {}
        # insertion-ordered, so errors for one instance go out in subscription order
        self._by_instance: dict[InstanceKey, dict[str, None]] = {}

    def add(self, request_id: str, key: InstanceKey) -> Added:
        """Record ``request_id`` as watching ``key``; a reused requestId moves (client resend)."""
        previous = self._by_request.get(request_id)
        vacated = None
        if previous is not None and previous != key:
            vacated = self._discard(request_id, previous)
        first = key not in self._by_instance
        self._by_request[request_id] = key
        self._by_instance.setdefault(key, {})[request_id] = None
        return Added(first_for_instance=first, vacated=vacated)

    def remove(self, request_id: str) -> InstanceKey | None:
        """Forget ``request_id``; return its instance if nobody watches that any more."""
        key = self._by_request.get(request_id)
        return self._discard(request_id, key) if key is not None else None

    def drop_instance(self, key: InstanceKey) -> list[str]:
        """Forget every subscription to ``key``; return their requestIds in subscription order."""
        request_ids = list(self._by_instance.pop(key, {}))
        for request_id in request_ids:
            del self._by_request[request_id]
        return request_ids

    def request_ids(self, key: InstanceKey) -> list[str]:
        return list(self._by_instance.get(key, {}))

    def instance_of(self, request_id: str) -> InstanceKey | None:
        return self._by_request.get(request_id)

    def instances(self) -> list[InstanceKey]:
        return list(self._by_instance)

    def __len__(self) -> int:
        return len(self._by_request)

    def _discard(self, request_id: str, key: InstanceKey) -> InstanceKey | None:
        del self._by_request[request_id]
        holders = self._by_instance[key]
        del holders[request_id]
        if holders:
            return None
        del self._by_instance[key]
        return key
