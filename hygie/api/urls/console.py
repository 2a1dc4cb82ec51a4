from django.urls import path

from hygie.api.views import console

app_name = "api"

urlpatterns = [
    path("tokens/", console.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", console.token_revoke, name="token_revoke"),
    path("webhooks/", console.webhooks, name="webhooks"),
    path(
        "webhooks/<int:endpoint_id>/<str:action>/",
        console.webhook_action,
        name="webhook_action",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/replay/",
        console.delivery_replay,
        name="delivery_replay",
    ),
    path("reference/", console.reference, name="reference"),
]
