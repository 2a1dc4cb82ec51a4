from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "hygie.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from hygie.delivery import engine
        from hygie.operations.schedule import DUE_WORK_SOURCES, WORKER_STEPS

        if engine.send_due not in WORKER_STEPS:
            WORKER_STEPS.append(engine.send_due)
        if engine.complete_finished_mailings not in DUE_WORK_SOURCES:
            DUE_WORK_SOURCES.append(engine.complete_finished_mailings)
