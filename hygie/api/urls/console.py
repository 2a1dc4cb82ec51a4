from django.urls import path

from hygie.api.views import console as views

app_name = "api"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path(
        "webhooks/<int:endpoint_id>/<str:action>/",
        views.webhook_action,
        name="webhook_action",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
    path("reference/", views.reference, name="reference"),
]
