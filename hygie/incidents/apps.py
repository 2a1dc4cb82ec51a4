from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "hygie.incidents"
    label = "incidents"
    verbose_name = _("Incident assistant")

    def ready(self) -> None:
        from hygie.incidents.services import purge_expired_reports
        from hygie.operations.schedule import DUE_WORK_SOURCES

        if purge_expired_reports not in DUE_WORK_SOURCES:
            DUE_WORK_SOURCES.append(purge_expired_reports)
