"""The incident desk in the console, mounted at /console/incidents/."""

from django.urls import path

from hygie.incidents.views import console as views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:report_id>/", views.report_detail, name="report"),
    path("<int:report_id>/status/", views.report_status, name="report_status"),
    path("<int:report_id>/assign/", views.report_assign, name="report_assign"),
    path("<int:report_id>/notes/", views.report_note, name="report_note"),
    path(
        "<int:report_id>/personal-data/",
        views.report_personal_data,
        name="report_personal_data",
    ),
    path("<int:report_id>/erase/", views.report_erase, name="report_erase"),
    path("slots/", views.slots, name="slots"),
    path("slots/<int:slot_id>/delete/", views.slot_delete, name="slot_delete"),
    path("statistics/", views.statistics, name="statistics"),
    path("content/", views.content, name="content"),
]
