"""The only way console views reach tenant data.

`console_view` guards a view: signed-in staff, second factor done where
required, a membership in the current organisation, and a role that grants the
capability the view asks for. `get_for_organisation` then fetches an object
only from the current organisation, so an object of another tenant answers 404
exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect

from hygie.accounts.models import Membership, Organisation, User
from hygie.accounts.roles import Permission
from hygie.accounts.two_factor import needs_two_factor_setup, needs_two_factor_verification

SESSION_ORGANISATION_KEY = "organisation_id"
View = Callable[..., HttpResponseBase]


class ConsoleRequest(HttpRequest):
    """An HttpRequest after `console_view` ran: these are always set."""

    user: User
    membership: Membership
    organisation: Organisation


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership in the organisation chosen in this session (or the first one)."""
    cached: Membership | None = getattr(request, "_hygie_membership", None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = memberships_of(user)
    chosen = request.session.get(SESSION_ORGANISATION_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(organisation_id=chosen).first()
    if membership is None:
        membership = memberships.first()
    request._hygie_membership = membership  # type: ignore[attr-defined]
    return membership


def select_organisation(request: HttpRequest, organisation_id: int) -> Membership:
    """Switch the session to another organisation; 404 unless the user belongs to it."""
    membership = get_object_or_404(
        memberships_of(cast(User, request.user)), organisation_id=organisation_id
    )
    request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
    request._hygie_membership = membership  # type: ignore[attr-defined]
    return membership


def console_view(permission: Permission) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if needs_two_factor_verification(user):
                return redirect_to_login(request.get_full_path(), "accounts:two_factor_verify")
            membership = current_membership(request)
            if membership is None:
                # Signed in but in no organisation: nothing of any tenant is reachable.
                return redirect("console:no_organisation")
            if needs_two_factor_setup(user, membership.organisation):
                return redirect("accounts:two_factor_setup")
            if not membership.can(permission):
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def request_organisation(request: HttpRequest) -> Organisation:
    """The organisation that `console_view` resolved for this request."""
    return cast(Organisation, request.organisation)  # type: ignore[attr-defined]


def request_user(request: HttpRequest) -> User:
    """The signed-in staff user of a request that went through `console_view`."""
    return cast(User, request.user)


def get_for_organisation[M: Model](queryset: QuerySet[M], request: HttpRequest, **lookup: Any) -> M:
    """Fetch one object of the current organisation, or 404."""
    organisation = request_organisation(request)
    return get_object_or_404(queryset.filter(organisation=organisation), **lookup)
