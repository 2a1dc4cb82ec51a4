from django.urls import path

from hygie.accounts.urls.console import team_urlpatterns
from hygie.console.views import console as views
from hygie.library.urls import console as library_urls

app_name = "console"

# The team pages (accounts) and the capsule editor (library) live in the apps that own what
# they edit; the shell mounts them here so that their names stay `console:…`.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("no-organisation/", views.no_organisation, name="no_organisation"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    *team_urlpatterns,
    path("audit/", views.audit_log, name="audit_log"),
    path("operations/", views.operations, name="operations"),
    path("library/", views.library, name="library"),
    *library_urls.urlpatterns,
]
