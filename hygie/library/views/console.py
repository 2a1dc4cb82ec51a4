"""The capsule editor: a capsule as each role in the practice reads it, new versions, and
the live preview. Every page needs MANAGE_CONTENT; an organisation sees shipped capsules
and its own versions only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hygie.accounts.access import console_view, request_organisation
from hygie.accounts.actors import Actor
from hygie.accounts.roles import Permission
from hygie.lib.editing import attach_problems
from hygie.library import selectors as library_selectors
from hygie.library import services as capsule_services
from hygie.library.editing import capsule_form_initial
from hygie.library.forms import CapsuleForm
from hygie.library.models import Capsule
from hygie.library.selectors import available_capsules


@require_GET
@console_view(Permission.MANAGE_CONTENT)
def capsule_preview(request: HttpRequest, capsule_id: int) -> HttpResponse:
    organisation = request_organisation(request)
    capsule = get_object_or_404(available_capsules(organisation), pk=capsule_id)
    # Staff read the capsule as each role in the practice reads it.
    choices = library_selectors.role_choices()
    role = request.GET.get("role", "")
    if role not in dict(choices):
        role = library_selectors.DEFAULT_ROLE
    # A fixed seed: staff see one stable order, nobody's in particular.
    reader = library_selectors.capsule_for_reader(capsule, role=role, token="preview")  # noqa: S106
    return render(
        request,
        "library/capsule_preview.html",
        {
            "capsule": capsule,
            "role": role,
            "roles": choices,
            "body_html": reader.body_html,
            "shown_quiz": [capsule.quiz[index] for index in reader.asked],
        },
    )


def _capsule_editor(request: HttpRequest, base: Capsule | None) -> HttpResponse:
    organisation = request_organisation(request)
    preview: Capsule | None = base
    preview_problems: dict[str, list[str]] = {}
    if request.method == "POST":
        form = CapsuleForm(request.POST)
        valid = form.is_valid()
        if valid and "save" in request.POST:
            actor = Actor.from_request(request)
            try:
                if base is None:
                    saved = capsule_services.capsule_create(
                        organisation=organisation, data=form.cleaned_data, actor=actor
                    )
                else:
                    saved = capsule_services.capsule_edit(
                        capsule=base, organisation=organisation, data=form.cleaned_data, actor=actor
                    )
            except ValidationError as exc:
                attach_problems(form, exc.message_dict)
            else:
                messages.success(request, _("Saved as version %(v)s.") % {"v": saved.version})
                return redirect("console:capsule_preview", capsule_id=saved.pk)
        if valid:
            preview = library_selectors.capsule_draft(
                organisation=organisation, data=form.cleaned_data, base=base
            )
            preview_problems = library_selectors.capsule_problems(preview)
            if "preview" in request.POST:
                attach_problems(form, preview_problems)
    else:
        form = CapsuleForm(initial=capsule_form_initial(capsule=base) if base else None)
    return render(
        request,
        "library/capsule_edit.html",
        {"form": form, "base": base, "preview": preview, "preview_problems": preview_problems},
    )


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_CONTENT)
def capsule_new(request: HttpRequest) -> HttpResponse:
    return _capsule_editor(request, None)


@require_http_methods(["GET", "POST"])
@console_view(Permission.MANAGE_CONTENT)
def capsule_edit(request: HttpRequest, capsule_id: int) -> HttpResponse:
    # Only the latest version is edited; older ones stay as campaigns sent them.
    base = get_object_or_404(available_capsules(request_organisation(request)), pk=capsule_id)
    return _capsule_editor(request, base)


@require_POST
@console_view(Permission.MANAGE_CONTENT)
def capsule_live_preview(request: HttpRequest) -> HttpResponse:
    """The preview fragment the editor's script asks for while the author types."""
    organisation = request_organisation(request)
    base_id = request.GET.get("base", "")
    base = (
        get_object_or_404(available_capsules(organisation), pk=int(base_id))
        if base_id.isdigit()
        else None
    )
    form = CapsuleForm(request.POST)
    preview = None
    preview_problems: dict[str, list[str]] = {}
    if form.is_valid():
        preview = library_selectors.capsule_draft(
            organisation=organisation, data=form.cleaned_data, base=base
        )
        preview_problems = library_selectors.capsule_problems(preview)
    else:
        preview_problems = {
            field: [str(e) for e in errors] for field, errors in form.errors.items()
        }
    return render(
        request,
        "library/includes/capsule_live.html",
        {"preview": preview, "preview_problems": preview_problems},
    )
