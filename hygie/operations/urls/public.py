"""The health check, served on every host name."""

from django.urls import path

from hygie.operations.views import public as views

urlpatterns = [
    path("healthz", views.health, name="health"),
]
