"""Console pages of the audience: people, practices, imports, segments, exports."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
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
from hygie.audience import exports, selectors, services
from hygie.audience.forms import (
    ConfirmEraseForm,
    MappingForm,
    PeopleFilterForm,
    PracticeRoleForm,
    SegmentForm,
    UploadForm,
)
from hygie.audience.models import (
    ImportJob,
    ImportRejection,
    ImportStatus,
    Person,
    PersonStatus,
    Segment,
)
from hygie.audience.segments import SegmentFilters
from hygie.audience.tabular import UnreadableFile, open_table

PAGE_SIZE = 50
MANAGE = Permission.MANAGE_AUDIENCE


# --- People ------------------------------------------------------------------


@require_GET
@console_view(MANAGE)
def people(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    form = PeopleFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    segment = None
    if request.GET.get("segment"):
        segment = get_for_organisation(Segment.objects.all(), request, pk=request.GET["segment"])
    found = selectors.search_people(
        organisation,
        query=criteria.get("q", ""),
        departement=criteria.get("departement", ""),
        profession=criteria.get("profession", ""),
        status=criteria.get("status", ""),
        segment=segment,
    )
    # Counting 100,000 rows costs more than the page itself: the paginator
    # counts once, on the indexed organisation filter.
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audience/people.html",
        {
            "page": page,
            "form": form,
            "segment": segment,
            "query_string": query.urlencode(),
            "has_people": segment is not None or selectors.people(organisation).exists(),
        },
    )


@require_GET
@console_view(MANAGE)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_for_organisation(
        Person.objects.select_related("practice").prefetch_related("tags"), request, pk=person_id
    )
    return render(
        request,
        "audience/person.html",
        {
            "person": person,
            "erase_form": ConfirmEraseForm(),
            "role_form": PracticeRoleForm(initial={"practice_role": person.practice_role}),
        },
    )


@require_POST
@console_view(MANAGE)
def person_role(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_for_organisation(
        Person.objects.select_related("practice").prefetch_related("tags"), request, pk=person_id
    )
    form = PracticeRoleForm(request.POST)
    if not form.is_valid() or person.status == PersonStatus.ERASED:
        return render(
            request,
            "audience/person.html",
            {"person": person, "erase_form": ConfirmEraseForm(), "role_form": form},
            status=400,
        )
    services.person_set_role(
        person=person,
        role=form.cleaned_data["practice_role"],
        actor=Actor.from_request(request),
    )
    messages.success(request, _("Role in the practice saved."))
    return redirect("audience:person", person_id=person.pk)


@require_GET
@console_view(MANAGE)
def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """Data-subject access: everything held about one person, as JSON or readable page."""
    person = get_for_organisation(Person.objects.all(), request, pk=person_id)
    data = selectors.person_data(person)
    services.person_export_record(person=person, actor=Actor.from_request(request))
    if request.GET.get("format") == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="{person.pseudonym}.json"'
        return response
    return render(request, "audience/person_export.html", {"person": person, "data": data})


@require_POST
@console_view(MANAGE)
def person_erase(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_for_organisation(Person.objects.all(), request, pk=person_id)
    form = ConfirmEraseForm(request.POST)
    if not form.is_valid():
        return render(
            request, "audience/person.html", {"person": person, "erase_form": form}, status=400
        )
    services.person_erase(person=person, actor=Actor.from_request(request))
    messages.success(request, _("The person was erased. Their address stays blocked."))
    return redirect("audience:person", person_id=person.pk)


@require_GET
@console_view(MANAGE)
def people_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    organisation = request_organisation(request)
    segment = None
    if request.GET.get("segment"):
        segment = get_for_organisation(Segment.objects.all(), request, pk=request.GET["segment"])
    found = selectors.segment_people(segment) if segment else selectors.people(organisation)
    stamp = timezone.localdate().isoformat()
    base = f"{segment.name if segment else _('people')}-{stamp}".replace('"', "")
    headers = exports.export_headers()
    if request.GET.get("format") == "xlsx":
        content = exports.xlsx_bytes(exports.export_rows(found), headers, title=base)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{base}.xlsx"'
        return response
    stream = StreamingHttpResponse(
        exports.csv_stream(exports.export_rows(found), headers),
        content_type="text/csv; charset=utf-8",
    )
    stream["Content-Disposition"] = f'attachment; filename="{base}.csv"'
    return stream


@require_GET
@console_view(MANAGE)
def practices(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.practices(request_organisation(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "audience/practices.html", {"page": page})


@require_GET
@console_view(MANAGE)
def practice_detail(request: HttpRequest, practice_id: int) -> HttpResponse:
    from hygie.audience.models import Practice

    practice = get_for_organisation(Practice.objects.all(), request, pk=practice_id)
    return render(
        request,
        "audience/practice.html",
        {"practice": practice, "members": practice.people.all()[:200]},
    )


# --- Imports -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def imports(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(
                organisation=request_organisation(request),
                actor=Actor.from_request(request),
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("audience:import_detail", job_id=job.pk)
    history = Paginator(selectors.imports(request_organisation(request)), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "audience/imports.html", {"form": form, "page": history})


def _samples(job: ImportJob) -> list[list[str]]:
    try:
        table = open_table(Path(job.stored_path))
    except (UnreadableFile, OSError):
        return []
    try:
        return [cells for _line, cells in islice(table.rows(), 5)]
    except UnreadableFile:
        return []
    finally:
        table.close()


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_for_organisation(ImportJob.objects.select_related("created_by"), request, pk=job_id)
    mapping_form = None
    can_map = job.status in {ImportStatus.PENDING, ImportStatus.PREVIEWED, ImportStatus.FAILED}
    if can_map and Path(job.stored_path).exists():
        mapping_form = MappingForm(
            request.POST or None,
            headers=job.headers,
            mapping=job.mapping,
            samples=_samples(job),
            initial={"keep_extra_as_tags": job.keep_extra_as_tags},
        )
        if request.method == "POST" and mapping_form.is_valid():
            try:
                services.import_analyse(
                    job=job,
                    mapping=mapping_form.mapping(),
                    keep_extra_as_tags=mapping_form.cleaned_data["keep_extra_as_tags"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    mapping_form.add_error(None, message)
            else:
                return redirect("audience:import_detail", job_id=job.pk)
    return render(
        request,
        "audience/import_detail.html",
        {
            "job": job,
            "mapping_form": mapping_form,
            "rejections": job.rejections.filter(is_warning=False)[:100],
            "rejection_count": job.rejections.filter(is_warning=False).count(),
            "warnings": job.rejections.filter(is_warning=True)[:100],
            "warning_count": job.rejections.filter(is_warning=True).count(),
        },
    )


@require_POST
@console_view(MANAGE)
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_for_organisation(ImportJob.objects.all(), request, pk=job_id)
    try:
        services.import_confirm(job=job, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("audience:import_detail", job_id=job.pk)


@require_POST
@console_view(MANAGE)
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_for_organisation(ImportJob.objects.all(), request, pk=job_id)
    try:
        services.import_cancel(job=job, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Import cancelled; the file was deleted."))
    return redirect("audience:imports")


@require_GET
@console_view(MANAGE)
def import_rejections(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The import report as CSV: line number and reason for every refused row, and for
    every value left out of an imported one."""
    job = get_for_organisation(ImportJob.objects.all(), request, pk=job_id)
    outcomes = {False: _("row rejected"), True: _("value left out")}
    rows = (
        [str(line), outcomes[is_warning], exports.spreadsheet_safe(reason)]
        for line, is_warning, reason in ImportRejection.objects.filter(job=job)
        .values_list("line", "is_warning", "reason")
        .iterator()
    )
    response = StreamingHttpResponse(
        exports.csv_stream(rows, [_("Line"), _("Outcome"), _("Reason")]),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="rejections-{job.pk}.csv"'
    return response


# --- Segments ----------------------------------------------------------------


@require_GET
@console_view(MANAGE)
def segments(request: HttpRequest) -> HttpResponse:
    organisation = request_organisation(request)
    items = [
        (segment, selectors.segment_people(segment).count())
        for segment in selectors.segments(organisation)
    ]
    return render(request, "audience/segments.html", {"segments": items})


def _segment_form_for_count(request: HttpRequest) -> SegmentForm:
    organisation = request_organisation(request)
    data = request.GET
    choices = {
        "departements": data.getlist("departements"),
        "specialties": data.getlist("specialties"),
        "tags": data.getlist("tags"),
        "communes": data.getlist("communes"),
    }
    form = SegmentForm(
        data,
        choices=choices,
        practices=selectors.practices(organisation).order_by(),
        imports=selectors.import_choices(organisation),
    )
    form.fields["name"].required = False
    return form


def _segment_form(
    request: HttpRequest, data: object = None, initial: dict[str, object] | None = None
) -> SegmentForm:
    organisation = request_organisation(request)
    return SegmentForm(
        data,
        initial=initial,
        choices=selectors.filter_choices(organisation),
        practices=selectors.practices(organisation).order_by("name"),
        imports=selectors.import_choices(organisation),
    )


@require_http_methods(["GET", "POST"])
@console_view(MANAGE)
def segment_edit(request: HttpRequest, segment_id: int | None = None) -> HttpResponse:
    segment = (
        get_for_organisation(Segment.objects.all(), request, pk=segment_id) if segment_id else None
    )
    initial: dict[str, object] = {}
    if segment is not None:
        initial = {"name": segment.name, "description": segment.description}
        initial.update(SegmentForm.initial_from(SegmentFilters.from_json(segment.filters)))
    form = _segment_form(request, request.POST or None, initial=initial or None)
    count = None
    if request.method == "POST" and form.is_valid():
        if "count" in request.POST:
            count = selectors.count_for_filters(request_organisation(request), form.filters())
        else:
            try:
                saved = services.segment_save(
                    organisation=request_organisation(request),
                    actor=Actor.from_request(request),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    filters=form.filters(),
                    segment=segment,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("audience:people_in_segment", segment_id=saved.pk)
    elif segment is not None:
        count = selectors.segment_people(segment).count()
    return render(
        request, "audience/segment_edit.html", {"form": form, "segment": segment, "count": count}
    )


@require_GET
@console_view(MANAGE)
def segment_count(request: HttpRequest) -> JsonResponse:
    """Live count while a segment is being edited (called by a small script).

    Free-text values (départements, specialties, tags) are not checked against
    the lists of existing values: computing those lists over 100,000 people costs
    more than the count itself, and an unknown value simply matches nobody.
    """
    form = _segment_form_for_count(request)
    if not form.is_valid():
        return JsonResponse({"errors": json.loads(form.errors.as_json())}, status=400)
    return JsonResponse(
        {"count": selectors.count_for_filters(request_organisation(request), form.filters())}
    )


@require_GET
@console_view(MANAGE)
def people_in_segment(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_for_organisation(Segment.objects.all(), request, pk=segment_id)
    return redirect(f"{_people_url()}?segment={segment.pk}")


def _people_url() -> str:
    from django.urls import reverse

    return reverse("audience:people")


@require_POST
@console_view(MANAGE)
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = get_for_organisation(Segment.objects.all(), request, pk=segment_id)
    services.segment_delete(segment=segment, actor=Actor.from_request(request))
    messages.success(request, _("Segment deleted."))
    return redirect("audience:segments")
