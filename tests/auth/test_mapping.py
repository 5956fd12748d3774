"""Claim mappings: ``.$`` JSONPath keys, literals, nesting, missing paths (API.md §2.7)."""

from __future__ import annotations

import pytest

from sb_emulator.auth.mapping import MappingError, apply_mapping, validate_mapping
from sb_emulator.errors import InvalidParameter

CLAIMS = {
    "sub": "user-1",
    "email": "u@example.com",
    "role": {"id": "admin", "level": 3},
    "groups": [{"name": "a"}, {"name": "b"}],
    "tags": ["x"],
}


def test_paths_and_literals() -> None:
    mapping = {"sub.$": "$.sub", "roleId.$": "$.role.id", "via": "idp", "n": 7, "flag": None}
    assert apply_mapping(mapping, CLAIMS) == {
        "sub": "user-1", "roleId": "admin", "via": "idp", "n": 7, "flag": None,
    }


def test_plain_key_is_literal_even_if_it_looks_like_a_path() -> None:
    assert apply_mapping({"roles": "$.role.id"}, CLAIMS) == {"roles": "$.role.id"}


def test_nested_objects_are_mapped_recursively() -> None:
    mapping = {"user": {"id.$": "$.sub", "contact": {"email.$": "$.email", "kind": "e"}}}
    assert apply_mapping(mapping, CLAIMS) == {
        "user": {"id": "user-1", "contact": {"email": "u@example.com", "kind": "e"}},
    }


def test_missing_paths_omit_the_key() -> None:
    mapping = {"sub.$": "$.sub", "gone.$": "$.nothing.here", "nested": {"x.$": "$.missing"}}
    assert apply_mapping(mapping, CLAIMS) == {"sub": "user-1", "nested": {}}


def test_single_and_multiple_matches() -> None:
    assert apply_mapping({"names.$": "$.groups[*].name"}, CLAIMS) == {"names": ["a", "b"]}
    assert apply_mapping({"tags.$": "$.tags"}, CLAIMS) == {"tags": ["x"]}
    assert apply_mapping({"tag.$": "$.tags[*]"}, CLAIMS) == {"tag": "x"}
    assert apply_mapping({"level.$": "$..level"}, CLAIMS) == {"level": 3}


def test_paths_without_dollar_prefix() -> None:
    assert apply_mapping({"sub.$": "sub", "r.$": "role.id"}, CLAIMS) == {
        "sub": "user-1", "r": "admin",
    }


def test_mapping_composes_like_the_exchange() -> None:
    intermediate = apply_mapping({"sid.$": "$.sid", "did.$": "$.did"},
                                 {"sid": "s", "did": "d", "iat": 1})
    final = apply_mapping({"sid.$": "$.sid", "did.$": "$.did", "auth": "anonymous"},
                          intermediate)
    assert final == {"sid": "s", "did": "d", "auth": "anonymous"}


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ([], "must be a JSON object"),
        ({"sub.$": 5}, "mapping.sub.$: a '.$' key needs a JSONPath string"),
        ({"a": {"b.$": "$["}}, "mapping.a.b.$: invalid JSONPath"),
        ({"x.$": "  "}, "needs a JSONPath string"),
    ],
)
def test_validate_mapping_errors(mapping: object, fragment: str) -> None:
    with pytest.raises(InvalidParameter) as err:
        validate_mapping(mapping, "mapping")
    assert err.value.parameter == "mapping" and fragment in err.value.message


def test_validate_accepts_good_mappings_and_apply_rejects_bad_ones() -> None:
    validate_mapping({"sub.$": "sub", "n": {"e.$": "$.email"}, "lit": [1, 2]})
    with pytest.raises(MappingError):
        apply_mapping({"x.$": 3}, CLAIMS)
