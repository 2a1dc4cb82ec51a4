from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "hygie.incidents"
    label = "incidents"
    verbose_name = _("Incident assistant")

    def ready(self) -> None:
        from hygie.incidents.reminders import remind_near_deadlines
        from hygie.incidents.services import reports_purge_expired
        from hygie.operations.schedule import register_due_work

        register_due_work(remind_near_deadlines, reports_purge_expired)
