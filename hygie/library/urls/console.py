"""The capsule editor. The console shell mounts these at /console/ (hygie/console/urls/console.py)
so that their names stay `console:capsule_*`."""

from django.urls import path

from hygie.library.views import console as views

urlpatterns = [
    path("library/capsules/<int:capsule_id>/", views.capsule_preview, name="capsule_preview"),
    path("library/capsules/new/", views.capsule_new, name="capsule_new"),
    path("library/capsules/<int:capsule_id>/edit/", views.capsule_edit, name="capsule_edit"),
    path("library/capsules/live-preview/", views.capsule_live_preview, name="capsule_live_preview"),
]
