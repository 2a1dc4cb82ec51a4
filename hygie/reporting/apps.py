from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Suspicious messages forwarded by practitioners to the organisation's report mailbox."""

    name = "hygie.reporting"
    default_auto_field = "django.db.models.BigAutoField"
