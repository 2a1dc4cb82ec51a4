"""Who does a change, and from where: the value every service takes instead of the request.

Views build it once (`Actor.from_request`); the API builds it from the token
(`Actor.api_token`), so the audit says which token did it; the worker, the scheduler and
management commands use `Actor.system`. Services read from it only what the audit needs
(the user, the address, the channel), never headers or the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.http import HttpRequest

from hygie.accounts.models import Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is trustworthy only without a proxy; deployments behind one
    # set the real address there through the proxy configuration.
    return request.META.get("REMOTE_ADDR") or None


class Channel(StrEnum):
    CONSOLE = "console"  # a signed-in staff member, in the console
    API = "api"  # an API token
    SYSTEM = "system"  # the worker, the scheduler, a management command
    PUBLIC = "public"  # a visitor who is not signed in (a practitioner's link, a public form)


@dataclass(frozen=True, slots=True)
class Actor:
    channel: Channel
    user: User | None = None
    organisation: Organisation | None = None
    ip: str | None = None
    api_token_id: int | None = None
    api_token_label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        """The signed-in staff member (in the organisation `console_view` resolved, if
        any), or a public visitor; with the client's address either way."""
        user = getattr(request, "user", None)
        organisation = getattr(request, "organisation", None)
        if user is not None and user.is_authenticated:
            return cls(
                channel=Channel.CONSOLE,
                user=user,
                organisation=organisation,
                ip=client_ip(request),
            )
        return cls(channel=Channel.PUBLIC, organisation=organisation, ip=client_ip(request))

    @classmethod
    def staff(
        cls, user: User, organisation: Organisation | None = None, *, ip: str | None = None
    ) -> Actor:
        """A staff member acting outside a request (a command run in their name, a test)."""
        return cls(channel=Channel.CONSOLE, user=user, organisation=organisation, ip=ip)

    @classmethod
    def system(
        cls, organisation: Organisation | None = None, *, on_behalf_of: User | None = None
    ) -> Actor:
        """The platform itself: a worker step, a periodic job, a management command;
        `on_behalf_of`: the staff member whose earlier request the work completes."""
        return cls(channel=Channel.SYSTEM, user=on_behalf_of, organisation=organisation)

    @classmethod
    def public(cls, organisation: Organisation | None = None) -> Actor:
        """A visitor who is not signed in (a practitioner's link, a public form), whose
        address the audit does not keep."""
        return cls(channel=Channel.PUBLIC, organisation=organisation)

    @classmethod
    def api_token(cls, token: Any, ip: str | None) -> Actor:
        """An API token (`api.ApiToken`, typed loosely: the API sits above accounts). The
        audit keeps the token's id, its name and prefix (what the desk's history shows) and,
        as the responsible person, whoever created it."""
        return cls(
            channel=Channel.API,
            user=token.created_by,
            organisation=token.organisation,
            ip=ip,
            api_token_id=token.pk,
            api_token_label=f"{token.name} ({token.prefix})",
        )

    def require_user(self) -> User:
        """The staff member behind this actor, for a change only a person may make."""
        if self.user is None:
            raise ValueError(f"A {self.channel} actor has no staff member to act as.")
        return self.user

    @property
    def label(self) -> str:
        """What the audit log shows as "who"."""
        return self.user.email if self.user is not None else ""
