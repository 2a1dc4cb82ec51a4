"""Public pages of the report mailbox, mounted at /signaler/ (no session needed)."""

from django.urls import path

from hygie.reporting.views import public as views

app_name = "reporting_public"

urlpatterns = [
    path("<slug:organisation>/sms/", views.sms_report, name="sms"),
]
