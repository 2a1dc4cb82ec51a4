from django.urls import path

from hygie.portal.views import public as views

app_name = "portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("envoye/", views.sent, name="sent"),
    path("l/<str:token>/", views.link, name="link"),
    path("exercice/<str:value>/", views.from_exercise, name="from_exercise"),
    path("sortir/", views.sign_out, name="sign_out"),
    path("moi/", views.home, name="home"),
    path("moi/langue/", views.language, name="language"),
    path("moi/desinscription/", views.unsubscribe, name="unsubscribe"),
    path("moi/exercice/<int:delivery_id>/", views.exercise, name="exercise"),
    path("moi/attestation/<int:year>/", views.certificate, name="certificate"),
    path("moi/attestation/<int:year>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
