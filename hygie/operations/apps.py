from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "hygie.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from hygie.operations import checks  # noqa: F401  (registers system checks)
