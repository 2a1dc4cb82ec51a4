"""Email opens: a personal pixel only where the organisation allows it, robots flagged."""

from __future__ import annotations

import re

from django.urls import reverse

from hygie.awareness.models import AwarenessCampaign, OpenEvent
from hygie.awareness.tests.conftest import BROWSER
from hygie.delivery.models import Delivery


def html_of(smtp_server) -> str:
    return smtp_server.messages[-1].message.get_body(("html",)).get_content()


def images(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_with_tracking_on_each_email_has_its_own_pixel(
    make_campaign, organisation, smtp_server, client, console, admin
):
    organisation.track_individual_opens = True
    organisation.save()
    campaign = make_campaign(people=2)
    html = html_of(smtp_server)
    [pixel] = images(html)
    delivery = Delivery.objects.get(recipient=smtp_server.messages[-1].recipients[0])
    assert pixel.endswith(f"/c/{delivery.token}/o.gif")
    response = client.get(path_of(pixel), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    client.get(path_of(pixel), HTTP_USER_AGENT="Mozilla/5.0 (via ggpht.com GoogleImageProxy)")
    person, robot = OpenEvent.objects.order_by("pk")
    assert person.delivery == delivery and not person.automated
    assert robot.automated and "googleimageproxy" in robot.automated_reason
    results = console(admin).get(reverse("awareness:results", args=[campaign.pk]))
    assert results.context["results"].openers == 1


def test_with_tracking_off_there_is_no_personal_pixel(
    make_campaign, organisation, smtp_server, client, console, admin
):
    assert not organisation.track_individual_opens
    campaign = make_campaign(people=2)
    for message in smtp_server.messages:
        html = message.message.get_body(("html",)).get_content()
        tokens = Delivery.objects.values_list("token", flat=True)
        assert not any(token in src for src in images(html) for token in tokens)
    [pixel] = images(html_of(smtp_server))
    client.get(path_of(pixel), HTTP_USER_AGENT=BROWSER)
    client.get(path_of(pixel), HTTP_USER_AGENT="curl/8.0")
    campaign = AwarenessCampaign.objects.get(pk=campaign.pk)
    assert (campaign.aggregate_opens, campaign.aggregate_automated_opens) == (1, 1)
    assert not OpenEvent.objects.exists()
    results = console(admin).get(reverse("awareness:results", args=[campaign.pk]))
    assert results.context["results"].openers is None
    assert results.context["results"].aggregate_opens == 1


def test_a_personal_pixel_after_tracking_was_turned_off_is_only_counted(
    make_campaign, organisation, client
):
    organisation.track_individual_opens = True
    organisation.save()
    campaign = make_campaign(people=1)
    organisation.track_individual_opens = False
    organisation.save()
    token = Delivery.objects.get().token
    client.get(reverse("awareness:open_pixel", args=[token]), HTTP_USER_AGENT=BROWSER)
    assert not OpenEvent.objects.exists()
    assert AwarenessCampaign.objects.get(pk=campaign.pk).aggregate_opens == 1


def test_unknown_or_forged_pixels_record_nothing(make_campaign, client):
    campaign = make_campaign(people=1)
    assert client.get(reverse("awareness:open_pixel", args=["x" * 27])).status_code == 200
    forged = reverse("awareness:aggregate_open", args=[f"{campaign.pk}:forged"])
    assert client.get(forged).status_code == 200
    assert AwarenessCampaign.objects.get(pk=campaign.pk).aggregate_opens == 0
    assert not OpenEvent.objects.exists()
