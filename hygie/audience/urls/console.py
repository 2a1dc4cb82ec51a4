from django.urls import path

from hygie.audience.views import console as views

app_name = "audience"

urlpatterns = [
    path("", views.people, name="people"),
    path("export/", views.people_export, name="people_export"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/data/", views.person_export, name="person_export"),
    path("people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
    path("people/<int:person_id>/role/", views.person_role, name="person_role"),
    path("practices/", views.practices, name="practices"),
    path("practices/<int:practice_id>/", views.practice_detail, name="practice"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:job_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:job_id>/rejections.csv", views.import_rejections, name="import_rejections"),
    path("segments/", views.segments, name="segments"),
    path("segments/new/", views.segment_edit, name="segment_new"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/<int:segment_id>/", views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/people/", views.people_in_segment, name="people_in_segment"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
]
