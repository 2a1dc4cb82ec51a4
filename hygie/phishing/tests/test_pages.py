"""Tracking pages are rendered once and filled in per hit: each person must still get
exactly the page the template gives for them, with their own copy of the message."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from hygie.audience.models import Person
from hygie.delivery.models import Delivery
from hygie.lib.typography import french_html
from hygie.library.content import capsules_sync
from hygie.phishing import selectors, teaching
from hygie.phishing.tests.support import PERSON, launch_and_send
from hygie.phishing.views.public import teach_context


def rendered(template: str, delivery: Delivery, **context: object) -> str:
    """The page as the template renders it for this delivery, without any keeping
    (with the French typography every French page leaves with)."""
    prefix = delivery.mailing.simulation.path_prefix
    with translation.override("fr"):
        return french_html(
            render_to_string(
                template,
                {
                    **context,
                    "presence_url": f"/{prefix}/{delivery.token}/v/",
                    "script_url": f"/{prefix}/s.js",
                },
            )
        )


def explanation(delivery: Delivery, *, reported: bool) -> str:
    return rendered(
        "phishing/teach.html",
        delivery,
        **teach_context(
            delivery,
            reported=reported,
            device=teaching.device_of(RequestFactory().get("/", **PERSON)),
            space_url=teaching.space_link(delivery),
        ),
    )


def test_each_person_gets_the_explanation_the_template_gives_them(simulation, smtp_server, client):
    capsules_sync()
    # Characters that must be escaped once, and only once.
    Person.objects.filter(last_name="Durand2").update(last_name="D'Arc & <Fils>")
    launch_and_send(simulation)
    deliveries = list(Delivery.objects.filter(mailing=simulation.mailing).order_by("pk"))
    pages = []
    for delivery in deliveries:
        url = f"/{simulation.path_prefix}/{delivery.token}/"
        page = client.post(url, {"identifiant": "x"}, **PERSON).content.decode()
        assert page == explanation(delivery, reported=False)
        pages.append(page)
    # Their own message each time: their link is in it, nobody else's.
    for delivery, page in zip(deliveries, pages, strict=True):
        assert all((other.token in page) == (other == delivery) for other in deliveries)
        assert "\ue000" not in page
    assert sum("D&#x27;Arc &amp; &lt;Fils&gt;" in page for page in pages) == 1


def test_the_landing_and_the_report_pages_are_the_templates_own(simulation, smtp_server, client):
    launch_and_send(simulation)
    first, second = Delivery.objects.filter(mailing=simulation.mailing).order_by("pk")[:2]
    landing = selectors.scenario_of(first).data["landing"]
    for delivery in (first, second):
        url = f"/{simulation.path_prefix}/{delivery.token}/"
        page = client.get(url, **PERSON).content.decode()
        assert page == rendered("phishing/landing.html", delivery, landing=landing)
    report = f"/{simulation.path_prefix}/{second.token}/r/"
    assert client.get(report, **PERSON).content.decode() == rendered("phishing/report.html", second)
    assert client.post(report, **PERSON).content.decode() == explanation(second, reported=True)
