"""Indexes (API.md §7.8): values after every transition, from the definition's own `indexes`
or the version's JSONPath `indexSelectors`; queries with op, dir, limit and cursor."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.errors import InvalidParameter, NotFound
from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER
from tests.runtime.uploads import upload_version

OWNERS = {"i1": "alice", "i2": "bob", "i3": "carol", "i4": "dave", "i5": "erin"}


async def query(emu: Emulator, index: str, op: str | None = None, value: str | None = None,
                dir: str = "asc", limit: int | None = None, cursor: str | None = None,
                machine: str = "folder") -> dict[str, Any]:
    body: dict[str, Any] = await emu.query_index(ORG, machine, index, op=op, value=value,
                                                 dir=dir, limit=limit, cursor=cursor)
    return body


async def pairs(emu: Emulator, index: str, **kw: Any) -> list[tuple[str, str]]:
    body = await query(emu, index, **kw)
    assert "cursor" not in body
    return [(i["indexValue"], i["slug"]) for i in body["instances"]]


async def all_pages(emu: Emulator, index: str, **kw: Any) -> list[list[tuple[str, str]]]:
    pages, cursor = [], None
    while True:
        body = await query(emu, index, cursor=cursor, **kw)
        pages.append([(i["indexValue"], i["slug"]) for i in body["instances"]])
        cursor = body.get("cursor")
        if cursor is None:
            return pages


@pytest.fixture
async def owned(emu: Emulator) -> Emulator:
    """Five folders, created in an order unlike their owners', owners set by an event."""
    for slug in ("i4", "i2", "i5", "i1", "i3"):
        await emu.create_instance(ORG, "folder", slug, None, None, USER)
        await emu.send_event(ORG, "folder", slug, {"type": "setOwner", "owner": OWNERS[slug]},
                             USER)
    return emu


async def test_nothing_is_indexed_until_a_value_is_a_string(emu: Emulator) -> None:
    await emu.create_instance(ORG, "folder", "f", None, None, USER)  # owner: null, tags: []
    assert await pairs(emu, "owner") == []
    assert await pairs(emu, "tags") == []
    await emu.send_event(ORG, "folder", "f", {"type": "setOwner", "owner": "zoe"}, USER)
    assert await pairs(emu, "owner") == [("zoe", "f")]


async def test_values_follow_transitions(owned: Emulator) -> None:
    assert await pairs(owned, "owner") == sorted((v, s) for s, v in OWNERS.items())
    await owned.send_event(ORG, "folder", "i1", {"type": "setOwner", "owner": "zed"}, USER)
    assert await pairs(owned, "owner", op="eq", value="alice") == []
    assert (await pairs(owned, "owner"))[-1] == ("zed", "i1")


@pytest.mark.parametrize(("op", "expected"), [
    ("eq", ["carol"]),
    ("ne", ["alice", "bob", "dave", "erin"]),
    ("gt", ["dave", "erin"]),
    ("gte", ["carol", "dave", "erin"]),
    ("lt", ["alice", "bob"]),
    ("lte", ["alice", "bob", "carol"]),
])
async def test_operators_compare_strings(owned: Emulator, op: str, expected: list[str]) -> None:
    assert [v for v, _ in await pairs(owned, "owner", op=op, value="carol")] == expected
    assert [v for v, _ in await pairs(owned, "owner", op=op, value="carol", dir="desc")] == \
        expected[::-1]


async def test_comparison_is_by_string_not_number(emu: Emulator) -> None:
    for slug, owner in (("a", "9"), ("b", "10")):
        await emu.create_instance(ORG, "folder", slug, {"owner": owner}, None, USER)
    assert await pairs(emu, "owner", op="gt", value="2") == [("9", "a")]


async def test_descending_order(owned: Emulator) -> None:
    assert [v for v, _ in await pairs(owned, "owner", dir="desc")] == sorted(
        OWNERS.values(), reverse=True)


@pytest.mark.parametrize("dir", ["asc", "desc"])
async def test_limit_and_cursor_page_through_everything_once(owned: Emulator, dir: str) -> None:
    pages = await all_pages(owned, "owner", dir=dir, limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    flat = [v for page in pages for v, _ in page]
    assert flat == sorted(OWNERS.values(), reverse=dir == "desc")


async def test_paging_keeps_the_filter(owned: Emulator) -> None:
    pages = await all_pages(owned, "owner", op="gte", value="bob", limit=3)
    assert pages == [[("bob", "i2"), ("carol", "i3"), ("dave", "i4")], [("erin", "i5")]]


async def test_equal_values_are_ordered_by_slug_across_pages(emu: Emulator) -> None:
    for slug in ("c", "a", "b"):
        await emu.create_instance(ORG, "folder", slug, {"owner": "same"}, None, USER)
    assert await all_pages(emu, "owner", limit=2) == [[("same", "a"), ("same", "b")],
                                                      [("same", "c")]]
    assert await all_pages(emu, "owner", limit=2, dir="desc") == [[("same", "c"), ("same", "b")],
                                                                  [("same", "a")]]


async def test_a_list_value_gives_one_entry_per_element(emu: Emulator) -> None:
    await emu.create_instance(ORG, "folder", "x", None, None, USER)
    await emu.create_instance(ORG, "folder", "y", None, None, USER)
    for slug, tag in (("x", "red"), ("x", "blue"), ("y", "blue")):
        await emu.send_event(ORG, "folder", slug, {"type": "tag", "tag": tag}, USER)
    assert await pairs(emu, "tags") == [("blue", "x"), ("blue", "y"), ("red", "x")]
    assert await pairs(emu, "tags", op="eq", value="blue") == [("blue", "x"), ("blue", "y")]


async def test_bad_queries_are_refused(owned: Emulator) -> None:
    with pytest.raises(NotFound):
        await query(owned, "nope")
    with pytest.raises(InvalidParameter) as err:
        await query(owned, "owner", op="like", value="a")
    assert err.value.parameter == "op"
    with pytest.raises(InvalidParameter):
        await query(owned, "owner", op="eq")
    with pytest.raises(InvalidParameter) as err:
        await query(owned, "owner", dir="sideways")
    assert err.value.parameter == "dir"


async def test_jsonpath_index_selectors_of_an_uploaded_version(emu: Emulator) -> None:
    await emu.create_machine(ORG, "box", ["color", "sizes"])
    await upload_version(emu, "box", "box.yaml", make_current=True,
                         index_selectors={"color": "$.color", "sizes": "$.sizes[*]"})
    await emu.create_instance(ORG, "box", "b1", {"sizes": ["S", "M"]}, None, USER)
    await emu.create_instance(ORG, "box", "b2", {"color": "red", "sizes": ["L"]}, None, USER)
    assert await pairs(emu, "color", machine="box") == [("plain", "b1"), ("red", "b2")]
    assert await pairs(emu, "sizes", machine="box") == [("L", "b2"), ("M", "b1"), ("S", "b1")]

    await emu.send_event(ORG, "box", "b1", {"type": "paint", "color": "teal"}, USER)
    assert await pairs(emu, "color", machine="box", op="gt", value="red") == [("teal", "b1")]
    assert await pairs(emu, "color", machine="box", op="eq", value="plain") == []


async def test_selectors_must_name_declared_indexes(emu: Emulator) -> None:
    await emu.create_machine(ORG, "box", ["color"])
    with pytest.raises(InvalidParameter) as err:
        await upload_version(emu, "box", "box.yaml", index_selectors={"weight": "$.weight"})
    assert err.value.parameter == "indexSelectors"
