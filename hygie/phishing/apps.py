from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhishingConfig(AppConfig):
    name = "hygie.phishing"
    label = "phishing"
    verbose_name = _("Phishing simulations")

    def ready(self) -> None:
        from hygie.operations.snapshots import COMPUTATIONS
        from hygie.phishing.selectors import results_figures

        # A large campaign's results page reads kept figures (refreshed in the background).
        COMPUTATIONS["simulation_results"] = results_figures
