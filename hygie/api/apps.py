from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "hygie.api"
    label = "api"
    verbose_name = _("API and webhooks")

    def ready(self) -> None:
        # Events published by the other apps become webhook deliveries; the worker sends
        # them. Registered here so that no other app needs to know about this one.
        from hygie.api import webhooks
        from hygie.lib import events
        from hygie.operations.schedule import register_worker_step

        events.subscribe(webhooks.record_event)
        register_worker_step(webhooks.worker_step)
