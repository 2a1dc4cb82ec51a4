"""The capsule page a practitioner reaches from the email, its reflex sheet and open pixels."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hygie.awareness import reminders, selectors, services
from hygie.delivery.models import Delivery, MailingKind
from hygie.lib.pdf import pdf_response, render_pdf
from hygie.lib.robots import automated_reason
from hygie.lib.visits import Visit
from hygie.library import selectors as library_selectors
from hygie.library.models import Capsule


def _delivery(token: str) -> Delivery:
    """The campaign delivery behind a token; a reminder's token stands for the campaign's."""
    delivery = (
        Delivery.objects.select_related("mailing__organisation", "person")
        .filter(token=token, mailing__kind__in=(MailingKind.AWARENESS, MailingKind.NOTICE))
        .first()
    )
    if delivery is not None and delivery.mailing.kind == MailingKind.NOTICE:
        delivery = reminders.original_delivery(delivery)
    if delivery is None:
        raise Http404
    return delivery


# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
    b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _pixel() -> HttpResponse:
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The personal pixel. An unknown token answers the same image and records nothing."""
    try:
        delivery = _delivery(token)
    except Http404:
        return _pixel()
    if not delivery.is_test:
        services.delivery_record_open(delivery=delivery, visit=Visit.from_request(request))
    return _pixel()


@require_http_methods(["GET", "HEAD"])
def aggregate_open(request: HttpRequest, key: str) -> HttpResponse:
    """The campaign-wide pixel of organisations that do not track opens per person."""
    campaign_id = selectors.campaign_from_open_key(key)
    if campaign_id is not None:
        services.campaign_count_open(
            campaign_id=campaign_id, automated=bool(automated_reason(Visit.from_request(request)))
        )
    return _pixel()


def _answers(request: HttpRequest, capsule: Capsule, asked: list[int]) -> list[int | None] | None:
    """The chosen index of each question, None for a question this reader was not asked."""
    answers: list[int | None] = []
    for index, question in enumerate(capsule.quiz):
        if index not in asked:
            answers.append(None)
            continue
        value = request.POST.get(f"q{index}", "")
        if not value.isdigit() or int(value) >= len(question["choices"]):
            return None
        answers.append(int(value))
    return answers


def _reader_role(delivery: Delivery) -> str:
    person = delivery.person
    if person is None:
        return library_selectors.DEFAULT_ROLE
    return library_selectors.role_of(
        practice_role=person.practice_role, profession=person.profession
    )


# No session or cookie is used: the token in the address is the only key, and the
# form carries no CSRF token to steal (it changes nothing but the reader's own quiz).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def capsule_page(request: HttpRequest, token: str) -> HttpResponse:
    delivery = _delivery(token)
    capsule = selectors.capsule_for(delivery)
    reader = library_selectors.capsule_for_reader(capsule, role=_reader_role(delivery), token=token)
    asked = reader.asked
    context = {
        "capsule": capsule,
        "body_html": reader.body_html,
        "role": reader.role,
        "questions": reader.questions,
        "organisation": delivery.mailing.organisation,
        "token": token,
    }
    if request.method == "POST":
        answers = _answers(request, capsule, asked)
        if answers is None:
            context["error"] = _("Answer every question to see the explanations.")
            return render(request, "awareness/capsule.html", context, status=400)
        try:
            attempt = services.quiz_submit(
                delivery=delivery,
                capsule=capsule,
                answers=answers,
                visit=Visit.from_request(request),
            )
        except ValidationError:
            raise Http404 from None
        feedback = [
            {
                "question": question["question"],
                "chosen": question["choices"][chosen],
                "right": [c for c in question["choices"] if c.get("correct") is True],
            }
            for question, chosen in zip(capsule.quiz, answers, strict=True)
            if chosen is not None
        ]
        context.update(attempt=attempt, feedback=feedback, kept=selectors.first_attempt(delivery))
        return render(request, "awareness/quiz_result.html", context)
    services.delivery_record_view(delivery=delivery, visit=Visit.from_request(request))
    return render(request, "awareness/capsule.html", context)


@require_http_methods(["GET", "HEAD"])
def capsule_fiche(request: HttpRequest, token: str) -> HttpResponse:
    """The capsule's one-page reflex sheet, to print and pin by the desk."""
    delivery = _delivery(token)
    capsule = selectors.capsule_for(delivery)
    content = render_pdf(
        "awareness/fiche_pdf.html",
        {"capsule": capsule, "organisation": delivery.mailing.organisation},
        language=capsule.language,
    )
    return pdf_response(content, f"fiche-reflexe-{capsule.slug}.pdf")
