"""Public pages of the incident assistant: start, one page per question, the outcome.

No account, no JavaScript: the position in the tree is the URL path (see `engine`), the
discovery time a GET parameter, so every page can be bookmarked or shared.

Every page exists at two addresses:

- the national guide, ``/aide/…``, which stores nothing at all;
- an organisation's guide, ``/aide/o/<slug>/…``: the same pages with the organisation's name,
  its contact details in place of the tree's generic "organisation" contact, and on each
  outcome a form to send the report to it (`send_report`). That form is the only write of the
  assistant, and it happens only when the person ticks the consent box and presses Send:
  until then the answers, the discovery time and the outcome travel in the page itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hygie.accounts.actors import client_ip
from hygie.accounts.models import Organisation
from hygie.incidents import antispam, assistant, services
from hygie.incidents.content import (
    ORGANISATION_CONTACT,
    Contact,
    Outcome,
    Question,
    Text,
    load_tree,
)
from hygie.incidents.forms import INPUT_FORMAT, DiscoveryForm, ReportForm, paris_now
from hygie.incidents.models import IncidentReport
from hygie.lib.pdf import pdf_response, render_pdf

SEVERITY_LABELS: dict[str, Promise] = {
    "low": gettext_lazy("Low severity"),
    "medium": gettext_lazy("Moderate severity"),
    "high": gettext_lazy("High severity"),
    "critical": gettext_lazy("Critical: act now"),
}
SENT_SALT = "hygie.incidents.report-sent"
SENT_MAX_AGE = 7 * 24 * 3600  # the confirmation link works for a week


@dataclass(frozen=True, slots=True)
class Link:
    label: Text
    url: str


@dataclass(frozen=True, slots=True)
class Answered:
    """A choice already made, shown in "your answers" with a link to change it."""

    question: Text | None  # None: an urgent shortcut of the start page
    answer: Text
    change_url: str


@dataclass(frozen=True, slots=True)
class Guide:
    """The address the visitor came through: national, or an organisation's."""

    organisation: Organisation | None = None

    def url(self, name: str, **kwargs: str) -> str:
        """The URL named `name` of this guide (`org_<name>` for an organisation's)."""
        if self.organisation is None:
            return reverse(f"incidents:{name}", kwargs=kwargs or None)
        return reverse(
            f"incidents:org_{name}", kwargs={"organisation": self.organisation.slug, **kwargs}
        )

    @property
    def start_url(self) -> str:
        return self.url("start")

    def step_url(self, answers: Sequence[str]) -> str:
        if not answers:
            return self.start_url
        return self.url("step", path=assistant.format_path(answers))

    def result_url(self, answers: Sequence[str]) -> str:
        return self.url("result", path=assistant.format_path(answers))

    def contacts(self, outcome: Outcome) -> list[Contact]:
        """The outcome's contacts; through an organisation, its own details as "organisation"."""
        if self.organisation is None:
            return list(outcome.contacts)
        return [
            organisation_contact(contact, self.organisation)
            if contact.id == ORGANISATION_CONTACT
            else contact
            for contact in outcome.contacts
        ]

    def context(self) -> dict[str, Any]:
        return {"organisation": self.organisation, "home_url": self.start_url}


@dataclass(frozen=True, slots=True)
class Union:
    """An organisation whose guide the national assistant points to."""

    name: str
    url: str


def unions(answers: Sequence[str] | None = None) -> list[Union]:
    """The active organisations, each with its guide: the same outcome and its help form
    when `answers` lead to one, otherwise its start page."""
    found = []
    for organisation in Organisation.objects.filter(is_active=True).order_by("name"):
        guide = Guide(organisation)
        url = guide.result_url(answers) + "#report" if answers else guide.start_url
        found.append(Union(name=organisation.public_name, url=url))
    return found


def organisation_contact(contact: Contact, organisation: Organisation) -> Contact:
    """The tree's generic "organisation" contact, filled with the organisation's details."""
    email = organisation.reply_to_email or organisation.sender_email
    return dataclasses.replace(
        contact,
        name=Text(fr=organisation.name, en=organisation.name),
        channel="email" if email else "internal",
        value=email,
    )


def _guide(slug: str | None) -> Guide | None:
    """The guide for an address: None when the organisation is unknown or inactive."""
    if slug is None:
        return Guide()
    organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
    return Guide(organisation) if organisation is not None else None


def _links(guide: Guide, found: Sequence[assistant.Choice]) -> list[Link]:
    return [
        Link(
            label=choice.answer.label,
            url=(
                guide.result_url(choice.path)
                if choice.leads_to_outcome
                else guide.step_url(choice.path)
            ),
        )
        for choice in found
    ]


def _answered(guide: Guide, visits: Sequence[assistant.Visit]) -> list[Answered]:
    return [
        Answered(
            question=visit.question.text if visit.question else None,
            answer=visit.answer.label,
            change_url=guide.step_url(visit.path_before),
        )
        for visit in visits
    ]


def _not_found(request: HttpRequest, guide: Guide | None = None) -> HttpResponse:
    return render(request, "incidents/not_found.html", (guide or Guide()).context(), status=404)


@require_safe
def start(request: HttpRequest, organisation: str | None = None) -> HttpResponse:
    guide = _guide(organisation)
    if guide is None:
        return _not_found(request)
    tree = load_tree()
    return render(
        request,
        "incidents/start.html",
        {
            **guide.context(),
            "urgent": _links(guide, assistant.urgent_choices(tree)),
            "question": tree.start_question,
            "answers": _links(guide, assistant.choices(tree.start_question, [])),
            "step_number": 1,
            "unions": unions() if guide.organisation is None else [],
        },
    )


@require_safe
def step(request: HttpRequest, path: str, organisation: str | None = None) -> HttpResponse:
    guide = _guide(organisation)
    if guide is None:
        return _not_found(request)
    tree = load_tree()
    try:
        answers = assistant.parse_path(path)
        visits, position = assistant.walk(tree, answers)
    except assistant.InvalidPath:
        return _not_found(request, guide)
    if isinstance(position, Outcome):
        return redirect(guide.result_url(answers))
    return render(
        request,
        "incidents/step.html",
        {
            **guide.context(),
            "question": position,
            "answers": _links(guide, assistant.choices(position, answers)),
            "answered": _answered(guide, visits),
            "back_url": guide.step_url(answers[:-1]),
            "step_number": len(answers) + 1,
        },
    )


class Reached(NamedTuple):
    """An outcome reached through a guide's URL path."""

    guide: Guide
    answers: list[str]
    visits: list[assistant.Visit]
    outcome: Outcome


def _reach_outcome(
    request: HttpRequest, path: str, organisation: str | None
) -> Reached | HttpResponse:
    """The outcome at `path`, or the response instead: 404, or the question it stops at."""
    guide = _guide(organisation)
    if guide is None:
        return _not_found(request)
    try:
        answers = assistant.parse_path(path)
        visits, position = assistant.walk(load_tree(), answers)
    except assistant.InvalidPath:
        return _not_found(request, guide)
    if isinstance(position, Question):
        return redirect(guide.step_url(answers))
    return Reached(guide, answers, visits, position)


@require_safe
def result(request: HttpRequest, path: str, organisation: str | None = None) -> HttpResponse:
    reached = _reach_outcome(request, path, organisation)
    if isinstance(reached, HttpResponse):
        return reached
    guide, answers, visits, position = reached

    # Deadlines are counted from now until the visitor gives the discovery time.
    if "decouverte" in request.GET:
        form = DiscoveryForm(request.GET)
        discovered_at = form.cleaned_data["decouverte"] if form.is_valid() else None
    else:
        discovered_at = paris_now()
        form = DiscoveryForm(initial={"decouverte": discovered_at})

    report_form = None
    if guide.organisation is not None:
        report_form = ReportForm(
            organisation=guide.organisation,
            initial={
                "path": assistant.format_path(answers),
                "outcome": position.id,
                "decouverte": discovered_at,
                "token": antispam.issue_token(),
            },
        )
    context = _result_context(guide, answers, visits, position, form, discovered_at, report_form)
    if guide.organisation is None:
        context["unions"] = unions(answers)
    context["pdf_url"] = _pdf_url(guide, answers, discovered_at)
    context["print_url"] = _with_discovery(
        guide.url("print", path=assistant.format_path(answers)), discovered_at
    )
    return render(request, "incidents/result.html", context)


def _pdf_url(guide: Guide, answers: Sequence[str], discovered_at: Any) -> str:
    url = guide.url("pdf", path=assistant.format_path(answers))
    if discovered_at is None:
        return url
    discovered = discovered_at.astimezone(assistant.PARIS).strftime(INPUT_FORMAT)
    return f"{url}?{urlencode({'decouverte': discovered})}"


@require_safe
def result_pdf(request: HttpRequest, path: str, organisation: str | None = None) -> HttpResponse:
    """The outcome as a PDF to hand to an IT provider, an insurer or the police.

    Built from the URL alone (answers in the path, discovery time in the query), like the
    page, so nothing is stored. Rendering costs CPU, so each address gets a limited number
    per hour; a discovery time that does not parse is refused rather than replaced by now,
    since the deadlines printed would be wrong.
    """
    reached = _reach_outcome(request, path, organisation)
    if isinstance(reached, HttpResponse):
        return reached
    guide, answers, visits, position = reached
    if request.method == "HEAD":  # a link checker or a preview: nothing to render or count
        return HttpResponse(content_type="application/pdf")
    client = _client(request)
    if client.exceeded(antispam.PDFS_PER_BROWSER, antispam.PDFS_PER_ADDRESS):
        return _limited(request, guide, answers, client, kind="pdf")
    client.hit(antispam.PDFS_PER_BROWSER, antispam.PDFS_PER_ADDRESS)

    form = DiscoveryForm(request.GET if "decouverte" in request.GET else None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            _("The discovery time is not valid: go back to the page and check it."),
            content_type="text/plain; charset=utf-8",
        )
    discovered_at = form.cleaned_data["decouverte"] if form.is_bound else paris_now()
    context = _result_context(guide, answers, visits, position, form, discovered_at, None)
    context["generated_at"] = paris_now()
    language = get_language() or "fr"
    content = render_pdf("incidents/summary_pdf.html", context, language=language)
    stamp = discovered_at.astimezone(assistant.PARIS).strftime("%Y%m%d-%H%M")
    return _with_browser_cookie(
        pdf_response(content, f"incident-{position.id}-{stamp}.pdf"), request, client
    )


@require_safe
def result_print(request: HttpRequest, path: str, organisation: str | None = None) -> HttpResponse:
    """The summary as a plain page: always available, never limited, nothing rendered to PDF."""
    reached = _reach_outcome(request, path, organisation)
    if isinstance(reached, HttpResponse):
        return reached
    guide, answers, visits, position = reached
    form = DiscoveryForm(request.GET if "decouverte" in request.GET else None)
    discovered_at = (
        form.cleaned_data["decouverte"]
        if form.is_bound and form.is_valid()
        else (None if form.is_bound else paris_now())
    )
    if discovered_at is None:
        form = DiscoveryForm(initial={"decouverte": paris_now()})
        discovered_at = paris_now()
    context = _result_context(guide, answers, visits, position, form, discovered_at, None)
    context["generated_at"] = paris_now()
    context["result_url"] = _with_discovery(guide.result_url(answers), discovered_at)
    return render(request, "incidents/summary_print.html", context)


def _client(request: HttpRequest) -> antispam.Client:
    return antispam.client_of(request.COOKIES, client_ip(request) or "unknown")


def _with_browser_cookie(
    response: HttpResponse, request: HttpRequest, client: antispam.Client
) -> HttpResponse:
    """Give a new browser its random key, for this browser session only."""
    if client.new_browser:
        response.set_cookie(
            antispam.BROWSER_COOKIE,
            antispam.browser_cookie_value(client),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _with_discovery(url: str, discovered_at: Any) -> str:
    if discovered_at is None:
        return url
    discovered = discovered_at.astimezone(assistant.PARIS).strftime(INPUT_FORMAT)
    return f"{url}?{urlencode({'decouverte': discovered})}"


def _limited(
    request: HttpRequest,
    guide: Guide,
    answers: Sequence[str],
    client: antispam.Client,
    *,
    kind: str,
) -> HttpResponse:
    """A helpful page when a limit is reached: the advice and its printable page stay open."""
    discovered = None
    form = DiscoveryForm(request.GET if "decouverte" in request.GET else None)
    if form.is_bound and form.is_valid():
        discovered = form.cleaned_data["decouverte"]
    context = {
        **guide.context(),
        "kind": kind,
        "result_url": _with_discovery(guide.result_url(answers), discovered) if answers else "",
        "print_url": _with_discovery(
            guide.url("print", path=assistant.format_path(answers)), discovered
        )
        if answers
        else "",
    }
    response = render(request, "incidents/limited.html", context, status=429)
    response["Retry-After"] = "3600"
    return _with_browser_cookie(response, request, client)


def _result_context(
    guide: Guide,
    answers: Sequence[str],
    visits: Sequence[assistant.Visit],
    outcome: Outcome,
    form: DiscoveryForm,
    discovered_at: Any,
    report_form: ReportForm | None,
) -> dict[str, Any]:
    assessments = assistant.assess_outcome(visits, outcome)
    due = [a.obligation for a in assessments if a.required]
    to_check = [a for a in assessments if a.status == assistant.TO_CHECK]
    if discovered_at is not None:
        obligations = assistant.deadlines(due, discovered_at)
        checked = assistant.deadlines([a.obligation for a in to_check], discovered_at)
    else:
        obligations = [assistant.Deadline(obligation=o, due=None) for o in due]
        checked = [assistant.Deadline(obligation=a.obligation, due=None) for a in to_check]
    sources = outcome.sources
    number = {source.id: index for index, source in enumerate(sources, start=1)}
    contacts = guide.contacts(outcome)
    return {
        **guide.context(),
        "outcome": outcome,
        "severity_label": SEVERITY_LABELS[outcome.severity],
        "form": form,
        "discovered_at": discovered_at,
        "obligations": obligations,
        # Duties the answers leave open: the condition to check, the date if it applies.
        "to_check": [
            (assessment, deadline) for assessment, deadline in zip(to_check, checked, strict=True)
        ],
        "not_required": [a for a in assessments if a.status == assistant.NOT_REQUIRED],
        "now_actions": [
            (advice, number[advice.source.id]) for advice in outcome.actions[: outcome.now]
        ],
        "later_actions": [
            (advice, number[advice.source.id]) for advice in outcome.actions[outcome.now :]
        ],
        "actions": [(advice, number[advice.source.id]) for advice in outcome.actions],
        "do_not": [(advice, number[advice.source.id]) for advice in outcome.do_not],
        "sources": list(enumerate(sources, start=1)),
        "contacts": contacts,
        "contact_ids": {contact.id for contact in contacts},
        "answered": _answered(guide, visits),
        "back_url": guide.step_url(answers[:-1]),
        "report_form": report_form,
        "send_url": guide.url("send") if guide.organisation is not None else "",
    }


def _sent_url(guide: Guide, reference: str) -> str:
    token = signing.dumps(reference, salt=SENT_SALT)
    return guide.url("sent", token=token)


@require_http_methods(["GET", "POST"])
def send_report(request: HttpRequest, organisation: str) -> HttpResponse:
    """Send the report of an outcome page to the organisation (see `ReportForm`).

    Refused, with nothing stored and the page again with the text kept and the reason: a form
    without consent or contact details; a robot's submission (honeypot filled, sent too fast,
    forged token); more than `REPORTS_PER_BROWSER` reports and robot submissions from one
    browser in an hour, or the generous ceiling per address (429). Sending the same page twice
    leads to the first report's confirmation.
    """
    guide = _guide(organisation)
    if guide is None or guide.organisation is None:
        return _not_found(request)
    if request.method != "POST":  # e.g. after changing language on a page with errors
        return redirect(guide.start_url)
    client = _client(request)
    try:
        answers = assistant.parse_path(request.POST.get("path", ""))
        visits, position = assistant.walk(load_tree(), answers)
    except assistant.InvalidPath:
        return _not_found(request, guide)
    if not isinstance(position, Outcome):
        return _not_found(request, guide)

    form = ReportForm(request.POST, organisation=guide.organisation)
    status = 400
    if client.exceeded(antispam.REPORTS_PER_BROWSER, antispam.REPORTS_PER_ADDRESS):
        # Refused, but the text stays on the page with the reason and another way to send it.
        form.is_valid()
        form.add_error(None, _limit_message(guide.organisation))
        valid, status = False, 429
    else:
        valid = form.is_valid()
    if form.form_token is not None:
        reference = antispam.already_sent(form.form_token.nonce)
        if reference is not None:
            return redirect(_sent_url(guide, reference))
    if valid and form.cleaned_data["outcome"] != position.id:
        form.add_error(
            None,
            _("The guide was updated since you opened this page. Check it, then send again."),
        )
        valid = False
    if valid:
        data = form.cleaned_data
        try:
            report = services.report_submit(
                organisation=guide.organisation,
                outcome=position,
                path=assistant.format_path(answers),
                discovered_at=data["decouverte"],
                name=data["name"],
                practice=data["practice"],
                departement=data["departement"],
                email=data["email"],
                phone=data["phone"],
                message=data["message"].strip(),
                slot=data.get("slot"),
                language=(get_language() or "fr")[:2],
            )
        except services.SlotUnavailable as error:
            form.add_error("slot", error)
        else:
            client.hit(antispam.REPORTS_PER_BROWSER, antispam.REPORTS_PER_ADDRESS)
            if form.form_token is not None:  # always, for a valid form
                antispam.remember_sent(form.form_token.nonce, report.reference)
            return _with_browser_cookie(
                redirect(_sent_url(guide, report.reference)), request, client
            )
    elif status != 429 and form.is_spam:
        client.hit(antispam.REPORTS_PER_BROWSER, antispam.REPORTS_PER_ADDRESS)

    # The page again, with the errors, a fresh token and the current outcome.
    posted = request.POST.copy()
    posted["token"] = antispam.issue_token()
    posted["outcome"] = position.id
    posted[antispam.HONEYPOT_FIELD] = ""  # an autofilled trap must not refuse the next try
    form.data = posted
    discovered_at = getattr(form, "cleaned_data", {}).get("decouverte")
    if discovered_at is not None:
        discovery = DiscoveryForm(initial={"decouverte": discovered_at})
    else:
        discovery = DiscoveryForm(initial={"decouverte": paris_now()})
    context = _result_context(guide, answers, visits, position, discovery, discovered_at, form)
    context["pdf_url"] = _pdf_url(guide, answers, discovered_at)
    context["print_url"] = _with_discovery(
        guide.url("print", path=assistant.format_path(answers)), discovered_at
    )
    response = render(request, "incidents/result.html", context, status=status)
    return _with_browser_cookie(response, request, client)


def _limit_message(organisation: Organisation) -> str:
    email = organisation.reply_to_email or organisation.sender_email
    message = _(
        "Too many reports were sent from this browser or this connection within an hour, so "
        "this one was not sent. Your text is kept below: try again in an hour"
    )
    if email:
        return _("%(message)s, or copy it into an e-mail to %(email)s.") % {
            "message": message,
            "email": email,
        }
    return f"{message}."


@require_safe
def report_sent(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    """The confirmation, reached through a signed link only the sender was given."""
    guide = _guide(organisation)
    if guide is None or guide.organisation is None:
        return _not_found(request)
    try:
        reference = signing.loads(token, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    except signing.BadSignature:
        return _not_found(request, guide)
    if not isinstance(reference, str):
        return _not_found(request, guide)
    report = (
        IncidentReport.objects.filter(organisation=guide.organisation, reference=reference)
        .select_related("slot")
        .first()
    )
    if report is None:
        return _not_found(request, guide)
    advice_url = guide.result_url(assistant.parse_path(report.path))
    discovered = report.discovered_at.astimezone(assistant.PARIS).strftime(INPUT_FORMAT)
    return render(
        request,
        "incidents/report_sent.html",
        {
            **guide.context(),
            "report": report,
            "advice_url": f"{advice_url}?{urlencode({'decouverte': discovered})}",
        },
    )
