"""Public pages of the incident assistant: start, one page per question, the outcome.

No account, no JavaScript, no database: the position in the tree is the URL path (see
`engine`), the discovery time a GET parameter, so every page can be bookmarked or shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from hygie.incidents import engine
from hygie.incidents.content import Outcome, Question, Text, load_tree
from hygie.incidents.forms import DiscoveryForm, paris_now

SEVERITY_LABELS: dict[str, Promise] = {
    "low": _("Low severity"),
    "medium": _("Moderate severity"),
    "high": _("High severity"),
    "critical": _("Critical: act now"),
}


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


def _step_url(answers: Sequence[str]) -> str:
    if not answers:
        return reverse("incidents:start")
    return reverse("incidents:step", kwargs={"path": engine.format_path(answers)})


def _result_url(answers: Sequence[str]) -> str:
    return reverse("incidents:result", kwargs={"path": engine.format_path(answers)})


def _links(found: Sequence[engine.Choice]) -> list[Link]:
    return [
        Link(
            label=choice.answer.label,
            url=_result_url(choice.path) if choice.leads_to_outcome else _step_url(choice.path),
        )
        for choice in found
    ]


def _answered(visits: Sequence[engine.Visit]) -> list[Answered]:
    return [
        Answered(
            question=visit.question.text if visit.question else None,
            answer=visit.answer.label,
            change_url=_step_url(visit.path_before),
        )
        for visit in visits
    ]


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/not_found.html", status=404)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    tree = load_tree()
    return render(
        request,
        "incidents/start.html",
        {
            "urgent": _links(engine.urgent_choices(tree)),
            "question": tree.start_question,
            "answers": _links(engine.choices(tree.start_question, [])),
            "step_number": 1,
        },
    )


@require_safe
def step(request: HttpRequest, path: str) -> HttpResponse:
    tree = load_tree()
    try:
        answers = engine.parse_path(path)
        visits, position = engine.walk(tree, answers)
    except engine.InvalidPath:
        return _not_found(request)
    if isinstance(position, Outcome):
        return redirect("incidents:result", path=path)
    return render(
        request,
        "incidents/step.html",
        {
            "question": position,
            "answers": _links(engine.choices(position, answers)),
            "answered": _answered(visits),
            "back_url": _step_url(answers[:-1]),
            "step_number": len(answers) + 1,
        },
    )


@require_safe
def result(request: HttpRequest, path: str) -> HttpResponse:
    tree = load_tree()
    try:
        answers = engine.parse_path(path)
        visits, position = engine.walk(tree, answers)
    except engine.InvalidPath:
        return _not_found(request)
    if isinstance(position, Question):
        return redirect("incidents:step", path=path)

    # Deadlines are counted from now until the visitor gives the discovery time.
    if "decouverte" in request.GET:
        form = DiscoveryForm(request.GET)
        discovered_at = form.cleaned_data["decouverte"] if form.is_valid() else None
    else:
        discovered_at = paris_now()
        form = DiscoveryForm(initial={"decouverte": discovered_at})
    if discovered_at is not None:
        obligations = engine.deadlines(position.obligations, discovered_at)
    else:
        obligations = [engine.Deadline(obligation=o, due=None) for o in position.obligations]

    sources = position.sources
    number = {source.id: index for index, source in enumerate(sources, start=1)}
    context: dict[str, Any] = {
        "outcome": position,
        "severity_label": SEVERITY_LABELS[position.severity],
        "form": form,
        "discovered_at": discovered_at,
        "obligations": obligations,
        "actions": [(advice, number[advice.source.id]) for advice in position.actions],
        "do_not": [(advice, number[advice.source.id]) for advice in position.do_not],
        "sources": list(enumerate(sources, start=1)),
        "contact_ids": {contact.id for contact in position.contacts},
        "answered": _answered(visits),
        "back_url": _step_url(answers[:-1]),
    }
    return render(request, "incidents/result.html", context)
