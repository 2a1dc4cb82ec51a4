from django.urls import path

from hygie.analytics.views import console as views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("export/<slug:table>.<str:fmt>", views.export, name="export"),
    path(
        "individual/<str:kind>/<int:campaign_id>.<str:fmt>",
        views.individual_export,
        name="individual_export",
    ),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_request, name="report_request"),
    path("reports/<int:report_id>/", views.report_status, name="report_status"),
    path("reports/<int:report_id>/pdf/", views.report_download, name="report_download"),
]
