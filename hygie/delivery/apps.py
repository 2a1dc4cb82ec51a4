from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "hygie.delivery"
    label = "delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from hygie.delivery import sending
        from hygie.operations.schedule import register_due_work, register_worker_step

        register_worker_step(sending.send_due)
        register_due_work(sending.complete_finished_mailings)
