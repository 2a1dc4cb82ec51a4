from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _forget_snapshots(using: str = "default", **_kwargs: Any) -> None:
    """Kept figures are pickled objects of the code that computed them: after an
    upgrade (which runs migrate) they are computed again by the new code."""
    from django.db import connections

    from hygie.operations.models import Snapshot

    # Not there when the app's migrations were just unapplied.
    if Snapshot._meta.db_table in connections[using].introspection.table_names():
        Snapshot.objects.using(using).all().delete()


class OperationsConfig(AppConfig):
    name = "hygie.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from hygie.operations import checks  # noqa: F401  (registers system checks)

        post_migrate.connect(_forget_snapshots, sender=self)
