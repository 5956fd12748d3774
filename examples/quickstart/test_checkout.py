import pytest


@pytest.mark.sb_machines("checkout.yaml")
def test_unpaid_order_expires(sb_client, sb_clock):
    sb_client.create_instance("checkout", "c-1")
    sb_client.send_event("checkout", "c-1", "submit")
    sb_clock.advance(15 * 60 * 1000)
    assert sb_client.get_instance("checkout", "c-1")["state"] == "expired"
