"""The report mailbox in the console, mounted at /console/reports/."""

from django.urls import path

from hygie.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:report_id>/", views.report_detail, name="report"),
    path("<int:report_id>/classify/", views.report_classify, name="report_classify"),
    path("<int:report_id>/answer/", views.report_answer, name="report_answer"),
    path("<int:report_id>/alert/", views.report_alert, name="report_alert"),
    path("mailbox/", views.mailbox_settings, name="settings"),
    path("statistics/", views.statistics, name="statistics"),
]
