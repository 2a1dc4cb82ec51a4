"""The practitioner's personal space: sign-in by emailed link, then their own history.

No account and no password. Following a link puts the person's id (and the end of the
portal session) in Django's server-side session, whose random key is the only thing in
the browser's cookie; every page reads that person's data and nothing else.

The session is the one the console uses (cookie `console_session`, SameSite=Lax): a
browser signed in to both keeps both, and signing out of the portal leaves the
console sign-in alone. `set_expiry` makes the portal cookie last two hours, even
across a browser restart (the console's cookie ends with the browser).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.contrib import messages
from django.contrib.auth import SESSION_KEY as STAFF_SESSION_KEY
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.actors import client_ip
from hygie.audience.models import Person, PersonStatus
from hygie.audience.services import person_unsubscribe
from hygie.delivery.sending import recipient_values
from hygie.lib.pdf import pdf_response, render_pdf
from hygie.phishing.selectors import scenario_of
from hygie.phishing.teaching import annotated_message, delivery_of_space_link, message_origin
from hygie.portal import selectors, services, throttling
from hygie.portal.forms import AddressForm, LanguageForm

SESSION_PERSON = "portal_person_id"
# Epoch second at which the portal session ends, whatever happens to the session
# afterwards (set_expiry alone would slide if the session were saved again).
SESSION_UNTIL = "portal_until"
SESSION_SECONDS = 2 * 3600
FIRST_YEAR = 2000

# --- The portal session ------------------------------------------------------------


def _now_seconds() -> int:
    return int(timezone.now().timestamp())


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_PERSON, None)
    request.session.pop(SESSION_UNTIL, None)


def signed_in_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(SESSION_PERSON)
    until = request.session.get(SESSION_UNTIL)
    if not isinstance(person_id, int) or not isinstance(until, int):
        return None
    person = None
    if _now_seconds() < until:
        person = (
            Person.objects.select_related("organisation")
            .filter(pk=person_id, organisation__is_active=True)
            .exclude(status=PersonStatus.ERASED)
            .first()
        )
    if person is None:
        _forget(request)
    return person


def _sign_in(request: HttpRequest, person: Person) -> None:
    # A new session key on every sign-in: a key planted beforehand is worthless.
    # Whatever else the session holds (a staff member's console sign-in) stays.
    request.session.cycle_key()
    request.session[SESSION_PERSON] = person.pk
    request.session[SESSION_UNTIL] = _now_seconds() + SESSION_SECONDS
    request.session.set_expiry(SESSION_SECONDS)


def _sign_out(request: HttpRequest) -> None:
    _forget(request)
    if STAFF_SESSION_KEY in request.session:
        # The same browser is signed in to the console: keep that, with its own expiry.
        request.session.set_expiry(None)
        request.session.cycle_key()
    else:
        request.session.flush()


def portal_view[**P](
    view: Callable[Concatenate[HttpRequest, Person, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Pass the signed-in person to the view, in their language; else back to the start."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        was_signed_in = SESSION_PERSON in request.session
        person = signed_in_person(request)
        if person is None:
            if was_signed_in:
                messages.info(
                    request, _("Your session has ended. Ask for a new link to come back.")
                )
            return redirect("portal:start")
        translation.activate(person.language)
        request.LANGUAGE_CODE = person.language
        return view(request, person, *args, **kwargs)

    return never_cache(wrapped)


# --- Signing in -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Ask for an address; the answer never tells whether it is known."""
    if request.method == "GET" and signed_in_person(request) is not None:
        return redirect("portal:home")
    form = AddressForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/start.html", {"form": form}, status=400)
        address = selectors.normalise_address(form.cleaned_data["email"])
        if not throttling.allow_link_request(address=address, client=client_ip(request) or ""):
            context = {
                "form": form,
                "error": _("Too many requests. Please wait an hour before asking for a new link."),
            }
            return render(request, "portal/start.html", context, status=429)
        services.links_send(address=address)
        return redirect("portal:sent")
    return render(request, "portal/start.html", {"form": form})


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/sent.html",
        {"minutes": int(services.LINK_LIFETIME.total_seconds() // 60)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button (mail scanners follow links); the POST spends the link."""
    invalid = {"minutes": int(services.LINK_LIFETIME.total_seconds() // 60)}
    if request.method == "POST":
        person = services.link_use(token=token)
        if person is None:
            return render(request, "portal/link_invalid.html", invalid, status=410)
        _sign_in(request, person)
        return redirect("portal:home")
    if not selectors.link_is_usable(token):
        return render(request, "portal/link_invalid.html", invalid, status=410)
    return render(request, "portal/link.html")


def _masked(address: str) -> str:
    """j•••@example.org: enough for the person to recognise their address, no more."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


@never_cache
@require_http_methods(["GET", "POST"])
def from_exercise(request: HttpRequest, value: str) -> HttpResponse:
    """The way in from a simulation's explanation. Signed in: straight to that exercise.
    Otherwise a button emails the sign-in link to the person's own address (a button,
    because mail scanners follow links); a forged or old link, or a person without an
    email address, gets the usual form rather than a dead end."""
    delivery_id = delivery_of_space_link(value)
    person = signed_in_person(request)
    if person is not None:
        if delivery_id is not None and selectors.exercise(person, delivery_id) is not None:
            return redirect("portal:exercise", delivery_id=delivery_id)
        return redirect("portal:home")
    owner = (
        Person.objects.filter(
            deliveries__pk=delivery_id,
            status=PersonStatus.ACTIVE,
            organisation__is_active=True,
        )
        .exclude(email__isnull=True)
        .exclude(email="")
        .first()
        if delivery_id is not None
        else None
    )
    if owner is None:
        messages.info(request, _("Enter your address to receive a link to your space."))
        return redirect("portal:start")
    address = selectors.normalise_address(str(owner.email))
    if request.method == "POST":
        if not throttling.allow_link_request(address=address, client=client_ip(request) or ""):
            context = {
                "form": AddressForm(),
                "error": _("Too many requests. Please wait an hour before asking for a new link."),
            }
            return render(request, "portal/start.html", context, status=429)
        services.links_send(address=address)
        return redirect("portal:sent")
    return render(request, "portal/from_exercise.html", {"address": _masked(address)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    _sign_out(request)
    messages.success(request, _("Your space is closed."))
    return redirect("portal:start")


# --- The space ----------------------------------------------------------------------


def _home(
    request: HttpRequest, person: Person, form: LanguageForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "person": person,
            "organisation": person.organisation,
            "capsules": selectors.capsules(person),
            "simulations": selectors.simulations(person),
            "years": selectors.activity_years(person),
            "language_form": form,
            "subscribed": person.status == PersonStatus.ACTIVE,
        },
        status=status,
    )


@require_GET
@portal_view
def home(request: HttpRequest, person: Person) -> HttpResponse:
    return _home(request, person, LanguageForm(initial={"language": person.language}))


@require_POST
@portal_view
def language(request: HttpRequest, person: Person) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _home(request, person, form, status=400)
    services.person_set_language(person=person, language=form.cleaned_data["language"])
    translation.activate(person.language)
    messages.success(request, _("Your language is saved."))
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
@portal_view
def unsubscribe(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method == "POST":
        person_unsubscribe(person=person, source="portal")
        messages.success(request, _("Done: you will no longer receive awareness emails."))
        return redirect("portal:home")
    return render(
        request,
        "portal/unsubscribe.html",
        {"person": person, "organisation": person.organisation},
    )


@require_GET
@portal_view
def exercise(request: HttpRequest, person: Person, delivery_id: int) -> HttpResponse:
    """The teachable moment of one of the person's own simulations (404 for any other)."""
    delivery = selectors.exercise(person, delivery_id)
    if delivery is None:
        raise Http404
    scenario = scenario_of(delivery)
    values = recipient_values(delivery)
    # Shown with its look-alike address but without the personal token: copying it
    # from this page must not count as a new click.
    values["link"] = delivery.mailing.link_template.replace("{token}", "…")
    return render(
        request,
        "portal/exercise.html",
        {
            "person": person,
            "organisation": person.organisation,
            "delivery": delivery,
            "scenario": scenario,
            "outcome": selectors.outcome_of(getattr(delivery, "simulation_result", None)),
            **annotated_message(scenario, values, **message_origin(delivery)),
        },
    )


def _holder(person: Person) -> str:
    """The name on the certificate, with the civility ("Dr Élise Durand")."""
    civility = person.get_civility_display() if person.civility else ""
    return " ".join(part for part in (civility, person.display_name) if part)


@require_GET
@portal_view
def certificate(request: HttpRequest, person: Person, year: int) -> HttpResponse:
    """A printable page, with its PDF next to it (`certificate_pdf`)."""
    return render(request, "portal/certificate.html", _certificate_context(person, year))


@require_GET
@portal_view
def certificate_pdf(request: HttpRequest, person: Person, year: int) -> HttpResponse:
    """The same certificate as a PDF document, in the person's language."""
    context = _certificate_context(person, year)
    language = translation.get_language() or person.language
    content = render_pdf("portal/certificate_pdf.html", context, language=language)
    return pdf_response(content, f"attestation-cybersecurite-{year}.pdf")


def _certificate_context(person: Person, year: int) -> dict[str, object]:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return {
        "person": person,
        "organisation": person.organisation,
        "holder": _holder(person),
        "certificate": selectors.certificate(person, year),
        "issued_on": timezone.localdate(),
    }
