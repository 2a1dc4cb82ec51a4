from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Suspicious messages forwarded by practitioners to the organisation's report mailbox."""

    name = "hygie.reporting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Report mailbox")

    def ready(self) -> None:
        from hygie.operations.schedule import register_due_work, register_worker_step
        from hygie.reporting.steps import poll_report_mailboxes, purge_old_reports

        # Polling is a worker step: any number of workers, each poll claimed by one.
        register_worker_step(poll_report_mailboxes)
        register_due_work(purge_old_reports)
