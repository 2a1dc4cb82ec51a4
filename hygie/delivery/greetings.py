"""How a message greets its recipient, from what the member file says about them.

A physician is addressed as "Docteur" whatever the file's civility column says
(French usage); others by their civility when it is known, or by their full name;
with nothing reliable, a plain "Bonjour," rather than a bare surname.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hygie.audience.models import Civility, Person, Profession


def title_of(person: Person) -> str:
    """The title that goes before the last name ("Docteur", "Madame"…), or ""."""
    if person.civility == Civility.PR:
        return pgettext("title before a name", "Professor")
    if person.civility == Civility.DR or person.profession == Profession.DOCTOR:
        return pgettext("title before a name", "Doctor")
    if person.civility == Civility.MRS:
        return pgettext("title before a name", "Madam")
    if person.civility == Civility.MR:
        return pgettext("title before a name", "Sir")
    return ""


def greeting_of(person: Person | None) -> str:
    """The opening words, without the comma that the message adds after them."""
    if person is None:
        return _("Hello")
    title = title_of(person)
    last_name = person.last_name.strip()
    first_name = person.first_name.strip()
    if title:
        # "Bonjour Docteur" and "Bonjour Madame" read right on their own.
        name = f"{title} {last_name}" if last_name else title
    elif first_name and last_name:
        name = f"{first_name} {last_name}"
    else:
        # A bare surname ("Bonjour Lefèvre") is curt; a first name alone is too familiar.
        return _("Hello")
    return _("Hello %(name)s") % {"name": name}
