from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "hygie.portal"
    label = "portal"
    verbose_name = _("Personal space")

    def ready(self) -> None:
        from hygie.operations.schedule import DUE_WORK_SOURCES
        from hygie.portal.services import purge_links

        if purge_links not in DUE_WORK_SOURCES:
            DUE_WORK_SOURCES.append(purge_links)
