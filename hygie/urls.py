from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hygie.api.v1 import api

# Each app serves its pages from `views/console.py` (staff console) and `views/public.py`
# (no staff account), routed by `urls/console.py` and `urls/public.py`.
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:dashboard", permanent=False)),
    path("", include("hygie.operations.urls.public")),
    path("", include("hygie.delivery.urls.public")),
    path("aide/", include("hygie.incidents.urls.public")),
    path("espace/", include("hygie.portal.urls.public")),
    path("signaler/", include("hygie.reporting.urls.public")),
    path("console/incidents/", include("hygie.incidents.urls.console")),
    path("", include("hygie.awareness.urls")),
    path("console/mailings/", include("hygie.delivery.urls.console")),
    path("console/simulations/", include("hygie.phishing.urls.console")),
    path("console/results/", include("hygie.analytics.urls.console")),
    path("console/reports/", include("hygie.reporting.urls.console")),
    path("console/caught-mail/", include("hygie.operations.urls.console")),
    path("console/", include("hygie.accounts.urls.console")),
    path("console/audience/", include("hygie.audience.urls.console")),
    path("console/", include("hygie.console.urls.console")),
    path("api/v1/", api.urls),
    path("console/api/", include("hygie.api.urls.console")),
    path("i18n/", include("django.conf.urls.i18n")),
    *([path("admin/", admin.site.urls)] if settings.ADMIN_ENABLED else []),
]
