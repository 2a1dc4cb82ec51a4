from django.urls import path

from hygie.delivery.views import console as views

app_name = "delivery"

urlpatterns = [
    path("", views.mailing_list, name="mailings"),
    path("new/", views.mailing_edit, name="mailing_new"),
    path("sending/", views.sending_profile, name="sending"),
    path("<int:mailing_id>/", views.mailing_detail, name="mailing"),
    path("<int:mailing_id>/edit/", views.mailing_edit, name="mailing_edit"),
    path("<int:mailing_id>/schedule/", views.mailing_schedule, name="mailing_schedule"),
    path("<int:mailing_id>/confirm/<slug:action>/", views.mailing_confirm, name="mailing_confirm"),
    path("<int:mailing_id>/<slug:action>/", views.mailing_action, name="mailing_action"),
]
