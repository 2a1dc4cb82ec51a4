"""The capsule links answer a forged token with the same headers as a real one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.delivery.models import Delivery

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"


@pytest.mark.parametrize("name", ["awareness:capsule", "awareness:open_pixel"])
def test_capsule_links_do_not_tell_real_tokens(client, make_campaign, name):
    campaign = make_campaign(people=1)
    delivery = Delivery.objects.filter(mailing=campaign.mailing).first()
    forged = "A" * len(delivery.token)
    valid = client.get(reverse(name, args=[delivery.token]), HTTP_USER_AGENT=BROWSER)
    client.cookies.clear()
    invalid = client.get(reverse(name, args=[forged]), HTTP_USER_AGENT=BROWSER)
    same = {"cache-control", "vary", "expires", "x-frame-options"}
    assert {k: valid.get(k) for k in same} == {k: invalid.get(k) for k in same}
    assert valid["Cache-Control"] == "private, no-store"
