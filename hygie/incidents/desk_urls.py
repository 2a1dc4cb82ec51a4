"""The incident desk in the console, mounted at /console/incidents/."""

from django.urls import path

from hygie.incidents import desk_views

app_name = "desk"

urlpatterns = [
    path("", desk_views.queue, name="queue"),
    path("<int:report_id>/", desk_views.report_detail, name="report"),
    path("<int:report_id>/status/", desk_views.report_status, name="report_status"),
    path("<int:report_id>/assign/", desk_views.report_assign, name="report_assign"),
    path("<int:report_id>/notes/", desk_views.report_note, name="report_note"),
    path(
        "<int:report_id>/personal-data/",
        desk_views.report_personal_data,
        name="report_personal_data",
    ),
    path("<int:report_id>/erase/", desk_views.report_erase, name="report_erase"),
    path("slots/", desk_views.slots, name="slots"),
    path("slots/<int:slot_id>/delete/", desk_views.slot_delete, name="slot_delete"),
    path("statistics/", desk_views.statistics, name="statistics"),
    path("content/", desk_views.content, name="content"),
]
