"""The report mailbox in the console, mounted at /console/reports/."""

from django.urls import path

from hygie.reporting.views import console as views

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

urlpatterns += [
    path("circulation/", views.circulation, name="circulation"),
    path("circulation/<int:group_id>/", views.group_detail, name="group"),
    path("circulation/<int:group_id>/name/", views.group_rename, name="group_rename"),
    path("circulation/<int:group_id>/merge/", views.group_merge, name="group_merge"),
    path("circulation/<int:group_id>/split/", views.group_split, name="group_split"),
    path("circulation/<int:group_id>/classify/", views.group_classify, name="group_classify"),
    path("circulation/<int:group_id>/alert/", views.group_alert, name="group_alert"),
    path("circulation/<int:group_id>/exercise/", views.group_exercise, name="group_exercise"),
    path(
        "circulation/<int:group_id>/export/<str:kind>/",
        views.group_export,
        name="group_export",
    ),
]
