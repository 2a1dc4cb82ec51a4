from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hygie.api.v1 import api
from hygie.delivery.public_views import unsubscribe
from hygie.operations.views import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:dashboard", permanent=False)),
    path("healthz", health, name="health"),
    path("u/<str:token>/", unsubscribe, name="unsubscribe"),
    path("aide/", include("hygie.incidents.urls")),
    path("espace/", include("hygie.portal.urls")),
    path("signaler/", include("hygie.reporting.public_urls")),
    path("console/incidents/", include("hygie.incidents.desk_urls")),
    path("", include("hygie.awareness.urls")),
    path("console/mailings/", include("hygie.delivery.urls")),
    path("console/simulations/", include("hygie.phishing.urls")),
    path("console/results/", include("hygie.analytics.urls")),
    path("console/reports/", include("hygie.reporting.urls")),
    path("console/caught-mail/", include("hygie.operations.urls")),
    path("console/", include("hygie.accounts.urls")),
    path("console/audience/", include("hygie.audience.urls")),
    path("console/", include("hygie.console.urls")),
    path("api/v1/", api.urls),
    path("console/api/", include("hygie.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    *([path("admin/", admin.site.urls)] if settings.ADMIN_ENABLED else []),
]
