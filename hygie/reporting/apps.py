from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Suspicious messages forwarded by practitioners to the organisation's report mailbox."""

    name = "hygie.reporting"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Report mailbox")

    def ready(self) -> None:
        from hygie.operations.schedule import DUE_WORK_SOURCES, WORKER_STEPS
        from hygie.reporting.steps import poll_report_mailboxes, purge_old_reports

        # Polling is a worker step: any number of workers, each poll claimed by one.
        if poll_report_mailboxes not in WORKER_STEPS:
            WORKER_STEPS.append(poll_report_mailboxes)
        if purge_old_reports not in DUE_WORK_SOURCES:
            DUE_WORK_SOURCES.append(purge_old_reports)
