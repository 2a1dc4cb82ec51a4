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
            key="content",
            title=_("Content"),
            permission=Permission.MANAGE_CONTENT,
            empty_title=_("The content library is on its way"),
            empty_text=_(
                "Awareness capsules and phishing scenarios will be listed here, ready to use "
                "or to adapt to your members."
            ),
        ),
        Section(
            key="campaigns",
            title=_("Campaigns"),
            permission=Permission.MANAGE_CAMPAIGNS,
            empty_title=_("No campaign yet"),
            empty_text=_(
                "Once your audience is imported, plan an awareness capsule or a phishing "
                "simulation for a segment."
            ),
        ),
        Section(
            key="results",
            title=_("Results"),
            permission=Permission.VIEW_RESULTS,
            empty_title=_("No results to show yet"),
            empty_text=_(
                "Results appear after your first campaign: reading, quiz scores, the phishing "
                "funnel and reports, always with sample sizes."
            ),
        ),
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
