"""Per-connection subscription bookkeeping (API.md §5.3 #2)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sb_emulator.realtime import SubscriptionTable

A = ("m", "a")
B = ("m", "b")


def test_first_subscription_starts_watching_and_second_shares_it() -> None:
    table = SubscriptionTable()
    assert table.add("r1", A).first_for_instance is True
    assert table.add("r2", A).first_for_instance is False
    assert table.request_ids(A) == ["r1", "r2"]
    assert table.instances() == [A]


def test_unsubscribing_one_request_keeps_the_other() -> None:
    table = SubscriptionTable()
    table.add("r1", A)
    table.add("r2", A)
    assert table.remove("r1") is None
    assert table.request_ids(A) == ["r2"]
    assert table.remove("r2") == A
    assert table.instances() == []
    assert len(table) == 0


def test_unknown_request_id_removal_is_a_no_op() -> None:
    table = SubscriptionTable()
    table.add("r1", A)
    assert table.remove("nope") is None
    assert len(table) == 1


def test_resending_the_same_subscription_changes_nothing() -> None:
    table = SubscriptionTable()
    table.add("r1", A)
    again = table.add("r1", A)
    assert again.first_for_instance is False
    assert again.vacated is None
    assert table.request_ids(A) == ["r1"]


def test_reusing_a_request_id_for_another_instance_moves_it() -> None:
    table = SubscriptionTable()
    table.add("r1", A)
    moved = table.add("r1", B)
    assert moved.first_for_instance is True
    assert moved.vacated == A
    assert table.instance_of("r1") == B
    assert table.instances() == [B]


def test_drop_instance_returns_its_request_ids() -> None:
    table = SubscriptionTable()
    table.add("r1", A)
    table.add("r2", B)
    table.add("r3", A)
    assert table.drop_instance(A) == ["r1", "r3"]
    assert table.instance_of("r1") is None
    assert table.instances() == [B]
    assert table.drop_instance(A) == []


@given(
    st.lists(
        st.tuples(
            st.booleans(), st.sampled_from(["r1", "r2", "r3", "r4"]), st.sampled_from([A, B])
        ),
        max_size=30,
    )
)
def test_table_matches_a_plain_dict_model(ops: list[tuple[bool, str, tuple[str, str]]]) -> None:
    table = SubscriptionTable()
    model: dict[str, tuple[str, str]] = {}
    for is_add, request_id, key in ops:
        watched_before = set(model.values())
        if is_add:
            added = table.add(request_id, key)
            model[request_id] = key
            assert added.first_for_instance == (key not in watched_before)
            vacated = watched_before - set(model.values())
            assert added.vacated == (vacated.pop() if vacated else None)
        else:
            gone = table.remove(request_id)
            model.pop(request_id, None)
            vacated = watched_before - set(model.values())
            assert gone == (vacated.pop() if vacated else None)
        assert len(table) == len(model)
        assert set(table.instances()) == set(model.values())
        for request_id_, key_ in model.items():
            assert table.instance_of(request_id_) == key_
