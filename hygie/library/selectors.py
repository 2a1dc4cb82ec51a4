from __future__ import annotations

from django.db.models import QuerySet

from hygie.accounts.models import Organisation
from hygie.library.models import Capsule


def available_capsules(organisation: Organisation, language: str = "fr") -> QuerySet[Capsule]:
    """The latest version of each capsule usable by the organisation."""
    rows = Capsule.objects.filter(language=language).filter(
        organisation__isnull=True
    ) | Capsule.objects.filter(language=language, organisation=organisation)
    latest: dict[str, int] = {}
    # Ordered by version, newest first: the first row seen for a slug is its latest.
    for pk, slug in rows.order_by("slug", "-version").values_list("pk", "slug"):
        latest.setdefault(slug, pk)
    return Capsule.objects.filter(pk__in=latest.values()).order_by("theme", "title")
