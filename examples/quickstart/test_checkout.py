import pytest


@pytest.mark.sb_machines("checkout.yaml")
def test_unpaid_order_expires(sb_client, sb_clock, sb_slug):
    sb_client.create_instance("checkout", sb_slug)
    sb_client.send_event("checkout", sb_slug, "submit")
    sb_clock.advance(15 * 60 * 1000)
    assert sb_client.get_instance("checkout", sb_slug)["state"] == "expired"
