"""The shape of the whole state (an export, an import, a data directory), checked up front.

A document is installed only once all of it is known to be good: first its shape (a JSON
Schema, checked with ``jsonschema``), then what a schema cannot say (each record's key
matches its contents, references between records lead somewhere, nothing is nested deeper
than the API would have accepted). The first problem is reported with its path inside the
document, e.g. ``keys["sbk_x"].secret: expected a string``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema_rs
import orjson

from sb_emulator.service.names import NAME_PATTERN
from sb_emulator.service.payload_limits import MAX_NESTING_DEPTH, may_nest_past, nesting_exceeds

# A document nests the API's values a few levels down (instances -> key -> snapshot ->
# context; transitions -> key -> index -> event): what the API accepted fits within this.
MAX_DOCUMENT_DEPTH = MAX_NESTING_DEPTH + 8

_STR = {"type": "string"}
_NAME = {"type": "string", "pattern": NAME_PATTERN}
_MS = {"type": "integer"}
_NUMBER = {"type": "number"}
_BOOL = {"type": "boolean"}
_OBJECT = {"type": "object"}
_OPT_STR = {"type": ["string", "null"]}
_STRINGS = {"type": "array", "items": _STR}


def _record(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": list(required),
            "properties": {**required, **(optional or {})}}


def _collection(record: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": record}


COLLECTION_SCHEMAS: dict[str, dict[str, Any]] = {
    "orgs": _record({"id": _STR, "name": _STR, "createdAtMs": _MS},
                    {"allowAnonymousAccess": _BOOL}),
    "keys": _record({"id": _STR, "orgId": _STR, "name": _STR, "secret": _STR,
                     "scopes": _STRINGS, "createdAtMs": _MS}, {"hidden": _BOOL}),
    "idps": _record({"orgId": _STR, "algs": _STRINGS, "mapping": _OBJECT},
                    {"aud": _OPT_STR, "iss": _OPT_STR, "key": _OPT_STR, "jwksUrl": _OPT_STR,
                     "hidden": _BOOL}),
    "token_providers": _record({"orgId": _STR, "service": _NAME, "keyId": _STR,
                                "mapping": _OBJECT}, {"hidden": _BOOL}),
    "machines": _record({"org": _STR, "slug": _NAME, "createdAtMs": _MS, "indexes": _STRINGS},
                        {"currentVersion": _OPT_STR}),
    "versions": _record(
        {"id": _STR, "org": _STR, "machine": _NAME, "createdAtMs": _MS,
         "source": {"type": "object", "required": ["kind"], "properties": {
             "kind": {"enum": ["yaml", "file", "javascript"]}, "text": _STR, "path": _STR,
             "digest": _STR},
             "allOf": [
                 {"if": {"properties": {"kind": {"const": "yaml"}}},
                  "then": {"required": ["text"]}},
                 {"if": {"properties": {"kind": {"const": "file"}}},
                  "then": {"required": ["path"]}}]}},
        {"clientInfo": _STR, "indexSelectors": {"type": "object", "additionalProperties": _STR}}),
    "migrations": _record({"id": _STR, "org": _STR, "machine": _NAME, "from": _STR, "to": _STR,
                           "createdAtMs": _MS}, {"text": _STR, "fromDefinition": _BOOL}),
    "uploads": _record({"kind": {"enum": ["version", "migration"]}, "org": _STR,
                        "machine": _NAME},
                       {"gzip": _BOOL, "code": _OPT_STR, "codeKind": _STR, "from": _STR,
                        "to": _STR}),
    "instances": _record(
        {"orgId": _STR, "machine": _NAME, "name": _NAME, "versionId": _STR,
         "snapshot": {"type": "object", "required": ["value"], "properties": {
             "value": {"type": ["string", "object"]}, "tags": _STRINGS, "done": _BOOL,
             "children": _OBJECT, "delayed": _OBJECT, "event": _OBJECT,
             "configuration": _STRINGS}},
         "createdAtMs": _MS, "ts": _NUMBER},
        {"status": {"enum": ["running", "paused"]}, "desiredVersion": _OPT_STR,
         "pendingErrors": {"type": "array", "items": _OBJECT},
         "parent": {"type": ["object", "null"]}, "children": _OBJECT,
         "indexValues": {"type": "object", "additionalProperties": _STRINGS}}),
    "timers": _record({"instance": _STR, "sendId": _STR, "dueMs": _NUMBER},
                      {"attempts": {"type": "integer", "minimum": 0}}),
    "logs": _record({"timestampMs": _MS, "orgId": _STR, "machineName": _STR,
                     "instanceName": _STR, "machineVersionId": _STR,
                     "outputType": {"enum": ["stdout", "stderr"]}, "log": _STR}),
}

STATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{name: _collection(record) for name, record in COLLECTION_SCHEMAS.items()},
        "transitions": {"type": "object", "additionalProperties": {
            "type": "array", "items": _record({"createdAtMs": _NUMBER, "state": {},
                                               "event": _OBJECT})}},
    },
}


@functools.cache
def _state_validator() -> Any:
    """Compiled on first use: start-up without a data dir or an import needs none."""
    return jsonschema_rs.Draft202012Validator(STATE_SCHEMA)


_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "object": "an object", "array": "an array",
               "null": "null"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class StateProblem(ValueError):
    """The first thing wrong with a state document: ``path: what was expected``."""


def check_state(state: Mapping[str, Any]) -> None:
    """Raise :class:`StateProblem` naming the first problem of ``state`` (without
    ``format``), or return when all of it can be installed."""
    if _too_deep(state):
        raise StateProblem(f"the document is nested more than {MAX_DOCUMENT_DEPTH} levels deep "
                           f"(values at most {MAX_NESTING_DEPTH}, as the API accepts them)")
    _check_schema(state)
    for problem in _reference_problems(state):
        raise StateProblem(problem)


def _too_deep(state: Mapping[str, Any]) -> bool:
    try:  # one pass in C for the usual document; the walk only when it cannot rule it out
        if not may_nest_past(state, MAX_DOCUMENT_DEPTH):
            return False
    except orjson.JSONEncodeError:  # deeper than orjson writes: surely too deep, or odd
        pass
    return nesting_exceeds(state, MAX_DOCUMENT_DEPTH)


def _check_schema(state: Mapping[str, Any]) -> None:
    # jsonschema-rs checks (a data dir of 10,000 instances: ~20 ms, against ~3 s for the
    # Python library); the Python library, imported only then, explains a failure
    if _state_validator().is_valid(state):
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(STATE_SCHEMA)
    error = next(iter(validator.iter_errors(state)), None)
    if error is not None:
        raise StateProblem(f"{format_path(error.absolute_path)}: {_expected(error)}")
    raise StateProblem("the document does not match the state schema")  # libraries disagree


def _expected(error: Any) -> str:
    if error.validator == "type":
        wanted = error.validator_value
        names = [_TYPE_NAMES.get(str(t), str(t))
                 for t in (wanted if isinstance(wanted, list) else [wanted])]
        return f"expected {' or '.join(names)}"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"expected a member {missing!r}"
    if error.validator == "pattern":
        return f"expected a name matching {error.validator_value}"
    if error.validator in ("enum", "const"):
        options = error.validator_value if error.validator == "enum" else [error.validator_value]
        return "expected one of " + ", ".join(repr(o) for o in options)
    return f"expected {error.message}"


def format_path(parts: Any) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part) and out == "":
            out = part
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}"
        else:
            out += f"[{_quote(part)}]"
    return out or "(the document)"


def _quote(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reference_problems(state: Mapping[str, Any]) -> Iterator[str]:
    """Keys that disagree with their records, references to records that do not exist."""
    def docs(name: str) -> Mapping[str, Any]:
        return state.get(name) or {}

    def at(collection: str, key: str, member: str) -> str:
        return format_path([collection, key, member])

    orgs, keys, versions = docs("orgs"), docs("keys"), docs("versions")
    machines, instances = docs("machines"), docs("instances")
    for key, doc in orgs.items():
        if doc["id"] != key:
            yield f"{at('orgs', key, 'id')}: expected the org's key {key!r}"
    for key, doc in keys.items():
        if doc["id"] != key:
            yield f"{at('keys', key, 'id')}: expected the key's id {key!r}"
        if doc["orgId"] not in orgs:
            yield f"{at('keys', key, 'orgId')}: expected an org of the document"
    for collection in ("idps", "token_providers"):
        for key, doc in docs(collection).items():
            if doc["orgId"] not in orgs:
                yield f"{at(collection, key, 'orgId')}: expected an org of the document"
    for key, doc in docs("token_providers").items():
        if doc["keyId"] not in keys:
            yield f"{at('token_providers', key, 'keyId')}: expected a key of the document"
    for key, doc in machines.items():
        if key != f"{doc['org']}/{doc['slug']}":
            yield (f"{format_path(['machines', key])}: expected the key to be org/slug of its "
                   f"record ({doc['org']}/{doc['slug']})")
        if doc["org"] not in orgs:
            yield f"{at('machines', key, 'org')}: expected an org of the document"
        current = doc.get("currentVersion")
        if current is not None and current not in versions:
            yield f"{at('machines', key, 'currentVersion')}: expected a version of the document"
    for collection in ("versions", "migrations", "uploads"):
        for key, doc in docs(collection).items():
            if collection != "uploads" and doc["id"] != key:
                yield f"{at(collection, key, 'id')}: expected the record's key {key!r}"
            if f"{doc['org']}/{doc['machine']}" not in machines:
                yield f"{at(collection, key, 'machine')}: expected a machine of the document"
            for member in ("from", "to"):
                if member in doc and doc[member] not in versions:
                    yield f"{at(collection, key, member)}: expected a version of the document"
    for key, doc in instances.items():
        if key != f"{doc['orgId']}/{doc['machine']}/{doc['name']}":
            yield (f"{format_path(['instances', key])}: expected the key to be org/machine/name "
                   f"of its record ({doc['orgId']}/{doc['machine']}/{doc['name']})")
        if f"{doc['orgId']}/{doc['machine']}" not in machines:
            yield f"{at('instances', key, 'machine')}: expected a machine of the document"
        for member in ("versionId", "desiredVersion"):
            if doc.get(member) is not None and doc[member] not in versions:
                yield f"{at('instances', key, member)}: expected a version of the document"
    for key, doc in docs("timers").items():
        if doc["instance"] not in instances:
            yield f"{at('timers', key, 'instance')}: expected an instance of the document"
    for key in docs("transitions"):
        if key not in instances:
            yield f"{format_path(['transitions', key])}: expected an instance of the document"
