from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhishingConfig(AppConfig):
    name = "hygie.phishing"
    label = "phishing"
    verbose_name = _("Phishing simulations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from hygie.accounts.models import Organisation
        from hygie.operations.schedule import register_due_work, register_worker_step
        from hygie.operations.snapshots import COMPUTATIONS
        from hygie.phishing.lookup import forget_changed_campaigns
        from hygie.phishing.models import SimulationCampaign
        from hygie.phishing.outage import replay_tracking_spool
        from hygie.phishing.selectors import prepare_results_figures, results_figures

        # Tracking keeps campaigns (with their organisation) a few seconds per process:
        # a change saved by this process applies to its next hit at once.
        for model in (Organisation, SimulationCampaign):
            post_save.connect(forget_changed_campaigns, sender=model, dispatch_uid=model.__name__)

        # The shipped scanner knowledge follows the code: loaded again after each migrate.
        post_migrate.connect(_load_scanners, sender=self, dispatch_uid="phishing.scanners")

        # A large campaign's results page reads kept figures (refreshed in the background).
        COMPUTATIONS["simulation_results"] = results_figures
        register_due_work(prepare_results_figures)

        # Tracking hits kept during a database outage, on this machine.
        register_worker_step(replay_tracking_spool)


def _load_scanners(**kwargs: object) -> None:
    from hygie.phishing.content.scanners import ScannerDataError, scanners_sync

    try:
        scanners_sync()
    except ScannerDataError:
        # A broken file must not stop a migration; `load_scanners` names the fault,
        # and detection keeps the signatures it had.
        return
