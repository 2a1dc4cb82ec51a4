"""The console's areas. Areas not built yet show an empty state saying what comes next."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hygie.accounts.roles import Permission


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    permission: Permission
    empty_title: Promise
    empty_text: Promise


SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section(
            key="incidents",
            title=_("Incidents"),
            permission=Permission.HANDLE_INCIDENTS,
            empty_title=_("No incident reported"),
            empty_text=_(
                "Reports and call-back requests sent from the incident assistant will arrive "
                "here for your handlers."
            ),
        ),
    )
}
