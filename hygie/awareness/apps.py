from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwarenessConfig(AppConfig):
    name = "hygie.awareness"
    label = "awareness"
    verbose_name = _("Awareness campaigns")

    def ready(self) -> None:
        from hygie.awareness.figures import prepare_results_figures, results_figures
        from hygie.awareness.programme import prepare_due_steps
        from hygie.awareness.reminders import send_due_reminders
        from hygie.awareness.services import enrolment_create
        from hygie.library.enrolment import register_enroller
        from hygie.operations.schedule import register_due_work
        from hygie.operations.snapshots import COMPUTATIONS

        # How other apps (a simulation's follow-up) put people in front of a capsule.
        register_enroller(enrolment_create)

        # A large campaign's results page reads kept figures (refreshed in the background).
        COMPUTATIONS["awareness_results"] = results_figures

        register_due_work(prepare_due_steps, send_due_reminders, prepare_results_figures)
