"""Tracked links, served on the tracking host names only (see hygie/urls_tracking.py)."""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hygie.delivery.models import Delivery
from hygie.delivery.sending import recipient_values
from hygie.lib.visits import Visit
from hygie.phishing import lookup, pages, selectors, services, teaching
from hygie.phishing.models import AfterClick, HitKind, Scenario

# Landing pages imitate a portal with inline styles; nothing may run or load.
LANDING_POLICY: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    # Only the page-side check, served from this host; never inline code.
    "script-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}


# The same tiny image for every pixel request, known token or not.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
    b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _page(
    request: HttpRequest,
    template: str,
    prefix: str,
    token: str,
    *,
    key: tuple[Hashable, ...] = (),
    context: dict[str, object] | None = None,
    fill: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A page of the tracking host. Every one carries the page-side check, whether the
    token is known or not (its presence must not tell them apart). `key` names what
    the page depends on besides its template and path prefix (see pages.py)."""
    return pages.render(
        request,
        template,
        {
            **(context or {}),
            "presence_url": pages.marker("presence_url"),
            "script_url": f"/{prefix}/s.js",
        },
        key=(prefix, *key),
        fill={**(fill or {}), "presence_url": f"/{prefix}/{token}/v/"},
    )


def _neutral(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """What an unknown or ended link gets: an ordinary page, recording nothing."""
    return _page(request, "phishing/expired.html", prefix, token)


def teach_context(
    delivery: Delivery, *, reported: bool, device: str, space_url: str
) -> dict[str, object]:
    """What the explanation shows one person (tests render the template from it)."""
    scenario = selectors.scenario_of(delivery)
    campaign = delivery.mailing.simulation
    organisation = delivery.mailing.organisation
    annotated = teaching.annotated_message(
        scenario, recipient_values(delivery), **teaching.message_origin(delivery)
    )
    return {
        **annotated,
        "organisation": organisation,
        "scenario": scenario,
        "reported": reported,
        "device": device,
        "reporting_address": teaching.reporting_address(organisation),
        "threshold": organisation.anonymity_threshold,
        "capsule": lookup.capsule(campaign, scenario),
        "space_url": space_url,
    }


def _teach(
    request: HttpRequest, delivery: Delivery, prefix: str, token: str, *, reported: bool = False
) -> HttpResponse:
    """The explanation: the same page for every recipient of the scenario but for
    their own copy of the message (subject and body carry their placeholders) and
    their own link to the personal space."""
    device = teaching.device_of(request)
    context = teach_context(delivery, reported=reported, device=device, space_url="")
    parts = cast(dict[str, str], context["parts"])
    # Escaped, with the red flags' marks, by annotated_message.
    own: dict[str, str] = {
        name: mark_safe(parts[name]) for name in ("subject", "body", "attachment") if parts[name]
    }
    scenario = cast(Scenario, context["scenario"])
    response = _page(
        request,
        "phishing/teach.html",
        prefix,
        token,
        key=("teach", delivery.mailing.simulation.pk, scenario.pk, reported, device, *sorted(own)),
        context={
            **context,
            "parts": {**parts, **{name: pages.marker(name) for name in own}},
            "space_url": pages.marker("space_url"),
        },
        fill={**own, "space_url": teaching.space_link(delivery)},
    )
    # The wording depends on these headers (press and hold, or hover with a mouse).
    patch_vary_headers(response, ("User-Agent", "Sec-CH-UA-Mobile"))
    return response


def _after_hit(request: HttpRequest, delivery: Delivery, prefix: str, token: str) -> HttpResponse:
    """The teachable moment at once, or a neutral page when the campaign sends the
    explanation by email at its end."""
    if delivery.mailing.simulation.after_click == AfterClick.LATER:
        return _page(request, "phishing/unavailable.html", prefix, token)
    return _teach(request, delivery, prefix, token)


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def tracked_link(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    page = request.method != "HEAD"
    visit = Visit.from_request(request)
    hit = lookup.hit(prefix, token, "person__practice", visit=visit, page=page)
    if hit is None:
        return _neutral(request, prefix, token)
    delivery = hit.delivery
    scenario = selectors.scenario_of(delivery)
    if request.method == "POST":
        # Only the names of the fields that were filled are kept; the values are
        # dropped here, before anything is stored or logged.
        filled = [name for name, value in request.POST.items() if str(value).strip()]
        services.delivery_record_hit(
            delivery=delivery,
            kind=HitKind.SUBMIT,
            visit=visit,
            submitted_fields=filled,
            awaiting_page=True,
            now=hit.at,
            signals=hit.signals,
        )
        return _after_hit(request, delivery, prefix, token)
    services.delivery_record_hit(
        delivery=delivery,
        kind=HitKind.CLICK,
        visit=visit,
        awaiting_page=page,
        now=hit.at,
        signals=hit.signals,
    )
    if request.method == "HEAD":
        return HttpResponse()
    landing = scenario.data.get("landing", {})
    if scenario.technique == "credential_form" and landing.get("has_form"):
        return _page(
            request,
            "phishing/landing.html",
            prefix,
            token,
            key=("landing", scenario.pk),
            context={"landing": landing},
        )
    return _after_hit(request, delivery, prefix, token)


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["POST"])
def not_me(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """ "Ce n'était pas moi": the person says the recorded visit was not theirs."""
    delivery = lookup.delivery(prefix, token)
    if delivery is not None:
        services.delivery_disown_hits(delivery=delivery)
    return render(request, "phishing/not_me.html")


@csrf_exempt  # a beacon: no session, no cookie, no body
@require_http_methods(["POST"])
def presence(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The page-side confirmation; the same empty answer whatever the token."""
    delivery = lookup.delivery(prefix, token)
    if delivery is not None:
        services.delivery_confirm_presence(delivery=delivery, visit=Visit.from_request(request))
    return HttpResponse(status=204)


@lru_cache(maxsize=1)
def _presence_script() -> bytes:
    return (Path(settings.BASE_DIR) / "static" / "js" / "presence.js").read_bytes()


@require_http_methods(["GET", "HEAD"])
def presence_script(request: HttpRequest, prefix: str) -> HttpResponse:
    # Served under the campaign's own path rather than a fixed /static/ address
    # that filters could learn.
    response = HttpResponse(_presence_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, prefix: str, token: str, image: str) -> HttpResponse:
    if request.method == "GET":
        visit = Visit.from_request(request)
        hit = lookup.hit(prefix, token, visit=visit, page=False)
        if hit is not None:
            services.delivery_record_open(
                delivery=hit.delivery, visit=visit, now=hit.at, signals=hit.signals
            )
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The in-message report link. Following it only asks for a confirmation (mail
    scanners follow every link); the report is the POST of that button."""
    delivery = lookup.delivery(prefix, token, "person__practice")
    if request.method != "POST":
        return _page(request, "phishing/report.html", prefix, token)
    if delivery is None:
        return _page(request, "phishing/reported.html", prefix, token)
    services.delivery_record_hit(
        delivery=delivery,
        kind=HitKind.REPORT,
        visit=Visit.from_request(request),
        awaiting_page=True,
    )
    return _teach(request, delivery, prefix, token, reported=True)


@require_http_methods(["GET", "HEAD"])
def qr_image(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The QR code printed in a QR scenario's email: the person's tracked link, as a PNG."""
    delivery = lookup.delivery(prefix, token)
    # Unknown tokens get a code too (to a neutral page): no oracle, nothing recorded.
    # On the host that serves the image (the campaign's link host), with the scheme of
    # the configured base (a proxy in front may end TLS).
    scheme = urlsplit(settings.TRACKING_BASE_URL).scheme
    target = f"{scheme}://{request.get_host()}/{prefix}/{token}/"
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="png", scale=6, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600" if delivery else "no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def hidden_link(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    visit = Visit.from_request(request)
    hit = lookup.hit(prefix, token, visit=visit, page=False)
    if hit is not None:
        services.delivery_record_hit(
            delivery=hit.delivery,
            kind=HitKind.CLICK,
            visit=visit,
            hidden_link=True,
            now=hit.at,
            signals=hit.signals,
        )
    return _neutral(request, prefix, token)


@csrf_exempt  # the tracking host has no session or cookie to protect
@csp_override(LANDING_POLICY)
@require_http_methods(["POST"])
def clue_tap(request: HttpRequest, prefix: str, token: str) -> HttpResponse:
    """The optional tap on the explanation: the clues the person picks. The same
    page whatever the token; an unknown one records nothing."""
    delivery = lookup.delivery(prefix, token)
    kept = delivery is not None and services.clue_answer_record(
        delivery=delivery,
        moment=request.POST.get("moment", ""),
        chosen=request.POST.getlist("clue"),
    )
    return render(request, "phishing/clue_thanks.html", {"kept": kept or delivery is None})
