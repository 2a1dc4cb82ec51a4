"""Console pages for mailings: compose, launch, follow progress, retry, test."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import (
    console_view,
    get_for_organisation,
    request_organisation,
)
from hygie.accounts.actors import Actor
from hygie.accounts.roles import Permission
from hygie.audience.models import Person
from hygie.delivery import selectors, services
from hygie.delivery.forms import MailingForm, ScheduleForm, SendingProfileForm
from hygie.delivery.hosts import landing_hosts
from hygie.delivery.models import DeliveryStatus, Mailing, MailingKind, MailingStatus
from hygie.delivery.previews import PLACEHOLDER_LABELS, preview_for
from hygie.delivery.sending import profile_of
from hygie.lib.editing import attach_validation_error

MANAGE = Permission.MANAGE_CAMPAIGNS


@require_GET
@console_view(MANAGE)
def mailing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.mailings(request_organisation(request)), 30).get_page(
        request.GET.get("page")
    )
    rows = [(m, selectors.progress(m)) for m in page.object_list]
    return render(request, "delivery/mailings.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def mailing_edit(request: HttpRequest, mailing_id: int | None = None) -> HttpResponse:
    mailing = (
        get_for_organisation(Mailing.objects.all(), request, pk=mailing_id) if mailing_id else None
    )
    if mailing is not None and mailing.status != MailingStatus.DRAFT:
        return redirect("delivery:mailing", mailing_id=mailing.pk)
    variant = mailing.variants.first() if mailing else None
    initial = {}
    if variant is not None:
        initial = {
            f: getattr(variant, f) for f in ("subject", "text_body", "html_body", "sms_body")
        }
    form = MailingForm(
        request.POST or None,
        instance=mailing,
        initial=initial,
        organisation=request_organisation(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.mailing_save(
                organisation=request_organisation(request),
                actor=Actor.from_request(request),
                fields=form.mailing_fields(),
                content=form.content(),
                mailing=mailing,
            )
        except ValidationError as exc:
            attach_validation_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("delivery:mailing", mailing_id=saved.pk)
    return render(request, "delivery/mailing_edit.html", {"form": form, "mailing": mailing})


@require_GET
@console_view(MANAGE)
def mailing_detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = get_for_organisation(
        Mailing.objects.select_related("segment", "organisation"), request, pk=mailing_id
    )
    progress = selectors.progress(mailing)
    samples = selectors.sample_recipients(mailing) if mailing.status == MailingStatus.DRAFT else []
    return render(
        request,
        "delivery/mailing.html",
        {
            "mailing": mailing,
            "progress": progress,
            # Who a private mailing went to is a result: its addresses are not listed.
            "failed": []
            if mailing.recipients_private
            else selectors.failed_deliveries(mailing)[:100],
            "next_sends": selectors.next_sends(mailing)[:5],
            "variant": mailing.variants.first(),
            "previews": [p for p in (preview_for(mailing, person) for person in samples) if p],
            "lacking": [
                (PLACEHOLDER_LABELS.get(name, name), count)
                for name, count in selectors.lacking_counts(mailing)
            ]
            if mailing.status == MailingStatus.DRAFT
            else [],
            "live": mailing.status == MailingStatus.SCHEDULED
            and progress["scheduled"] + progress["sending"] > 0,
        },
    )


CONFIRMED = frozenset({"launch", "cancel"})


@require_GET
@console_view(MANAGE)
def mailing_confirm(request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
    """Before a launch or a cancellation: what it will do, and a button to do it."""
    if action not in CONFIRMED:
        return HttpResponse(status=404)
    mailing = get_for_organisation(
        Mailing.objects.select_related("segment", "organisation"), request, pk=mailing_id
    )
    context: dict[str, object] = {"mailing": mailing, "action": action}
    if action == "launch":
        if mailing.status != MailingStatus.DRAFT or mailing.kind == MailingKind.SIMULATION:
            return redirect("delivery:mailing", mailing_id=mailing.pk)
        now = timezone.now()
        context.update(
            forecast=selectors.launch_forecast(mailing, now=now),
            now=now,
            lacking=selectors.lacking_labelled(mailing),
        )
    else:
        progress = selectors.progress(mailing)
        context.update(progress=progress, unsent=progress["scheduled"] + progress["sending"])
    return render(request, "delivery/mailing_confirm.html", context)


def _action(request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
    mailing = get_for_organisation(Mailing.objects.all(), request, pk=mailing_id)
    actor = Actor.from_request(request)
    if action in CONFIRMED and request.POST.get("confirmed") != "yes":
        return redirect("delivery:mailing_confirm", mailing_id=mailing.pk, action=action)
    try:
        if action == "launch" and mailing.kind == MailingKind.SIMULATION:
            # A simulation is launched from its own page, which checks that the people were
            # told simulations exist and prepares its results.
            raise ValidationError(_("Launch a phishing simulation from its page in Simulations."))
        if action == "launch":
            count = services.mailing_launch(mailing=mailing, actor=actor)
            messages.success(request, _("Launched: %(n)d messages scheduled.") % {"n": count})
        elif action == "pause":
            services.mailing_pause(mailing=mailing, actor=actor)
        elif action == "resume":
            services.mailing_resume(mailing=mailing, actor=actor)
        elif action == "cancel":
            services.mailing_cancel(mailing=mailing, actor=actor)
        elif action == "retry":
            count = services.mailing_retry_failed(mailing=mailing, actor=actor)
            messages.success(request, _("%(n)d messages queued again.") % {"n": count})
        elif action == "test":
            as_person = None
            if request.POST.get("as_person", "").isdigit():
                as_person = get_for_organisation(
                    Person.objects.all(), request, pk=int(request.POST["as_person"])
                )
            delivery = services.mailing_send_test(
                mailing=mailing,
                actor=actor,
                phone=request.POST.get("phone", ""),
                as_person=as_person,
            )
            if delivery.status == DeliveryStatus.SENT:
                messages.success(
                    request, _("Test sent to %(email)s.") % {"email": delivery.recipient}
                )
            else:
                messages.error(
                    request,
                    _("The test could not be sent: %(reason)s") % {"reason": delivery.last_error},
                )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("delivery:mailing", mailing_id=mailing.pk)


@require_POST
@console_view(MANAGE)
def mailing_action(request: HttpRequest, mailing_id: int, action: str) -> HttpResponse:
    if action not in {"launch", "pause", "resume", "cancel", "retry", "test"}:
        return HttpResponse(status=404)
    return _action(request, mailing_id, action)


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def mailing_schedule(request: HttpRequest, mailing_id: int) -> HttpResponse:
    """A paused mailing's window and pace, changed before it resumes."""
    mailing = get_for_organisation(
        Mailing.objects.select_related("organisation"), request, pk=mailing_id
    )
    if mailing.status != MailingStatus.PAUSED:
        messages.error(request, _("Pause the mailing before changing its window or pace."))
        return redirect("delivery:mailing", mailing_id=mailing.pk)
    form = ScheduleForm(request.POST or None, instance=Mailing.objects.get(pk=mailing.pk))
    if request.method == "POST" and form.is_valid():
        try:
            count = services.mailing_reschedule(
                mailing=mailing,
                actor=Actor.from_request(request),
                window_days=form.cleaned_data["window_days"],
                window_start=form.cleaned_data["window_start"],
                window_end=form.cleaned_data["window_end"],
                send_end=form.cleaned_data["send_end"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Window and pace saved: %(n)d messages spread again. Resume when ready.")
                % {"n": count},
            )
            return redirect("delivery:mailing", mailing_id=mailing.pk)
    return render(request, "delivery/mailing_schedule.html", {"form": form, "mailing": mailing})


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_ORGANISATION)
def sending_profile(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    profile = profile_of(organisation.pk)
    form = SendingProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.sending_profile_update(
            organisation=organisation,
            actor=Actor.from_request(request),
            values={field: form.cleaned_data[field] for field in SendingProfileForm.Meta.fields},
        )
        messages.success(request, _("Sending settings saved."))
        return redirect("delivery:sending")
    return render(
        request,
        "delivery/sending.html",
        {"form": form, "link_hosts": landing_hosts(profile)},
    )
