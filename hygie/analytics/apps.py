from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "hygie.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from hygie.analytics.recommendations import programme_ranker
        from hygie.analytics.retention import retention_due
        from hygie.analytics.rollups import refresh_due
        from hygie.awareness.programme import THEME_RANKERS
        from hygie.operations.schedule import register_due_work

        # The programme's automatic themes follow the recommendation.
        if programme_ranker not in THEME_RANKERS:
            THEME_RANKERS.append(programme_ranker)

        # Roll-ups first: the retention job then freezes figures that are current.
        register_due_work(refresh_due, retention_due)
