"""Pages reached from messages, without a session: one-click unsubscribe."""

from django.urls import path

from hygie.delivery.views import public as views

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
