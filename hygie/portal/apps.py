from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "hygie.portal"
    label = "portal"
    verbose_name = _("Personal space")

    def ready(self) -> None:
        from hygie.operations.schedule import register_due_work
        from hygie.portal.services import links_purge

        register_due_work(links_purge)
