"""A mailing's message as given recipients will read it, for the console's preview."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from hygie.audience.models import Person
from hygie.delivery.models import Channel, Mailing
from hygie.delivery.placeholders import substitute
from hygie.delivery.sending import person_values

SAMPLE_LINK = "https://…/exemple/"

# What a missing value is called on the launch page.
PLACEHOLDER_LABELS = {
    "first_name": _("first name"),
    "last_name": _("last name"),
    "full_name": _("first and last name"),
    "civility": _("civility"),
    "practice": _("practice"),
    "greeting": _("a name for the greeting (the message will say only “Bonjour,”)"),
}


@dataclass(frozen=True)
class Preview:
    person: Person
    subject: str
    text: str


def preview_for(mailing: Mailing, person: Person) -> Preview | None:
    """The first variant's subject and text with this person's values ("" link)."""
    variant = mailing.variants.first()
    if variant is None:
        return None
    organisation = mailing.organisation
    values = {
        "email": person.email or "",
        "organisation": organisation.brand_name or organisation.name,
        "link": SAMPLE_LINK,
        "unsubscribe_link": SAMPLE_LINK,
        **person_values(person, language=organisation.language),
    }
    if mailing.channel == Channel.SMS:
        return Preview(person=person, subject="", text=substitute(variant.sms_body, values))
    return Preview(
        person=person,
        subject=substitute(variant.subject, values),
        text=substitute(variant.text_body, values),
    )
