from django.urls import path

from hygie.phishing.views import console as views

app_name = "phishing"

urlpatterns = [
    path("", views.simulation_list, name="simulations"),
    path("new/", views.simulation_new, name="simulation_new"),
    path("<int:campaign_id>/", views.simulation_results, name="results"),
    path("<int:campaign_id>/launch/", views.launch_confirm, name="launch_confirm"),
    path("<int:campaign_id>/preview/", views.campaign_preview, name="campaign_preview"),
    path("<int:campaign_id>/hits/", views.campaign_hits, name="hits"),
    path("<int:campaign_id>/people/", views.campaign_people, name="people"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/<int:scenario_id>/", views.scenario_detail, name="scenario"),
    path(
        "scenarios/<int:scenario_id>/attachment.pdf",
        views.scenario_attachment_pdf,
        name="scenario_attachment_pdf",
    ),
    path(
        "scenarios/<int:scenario_id>/<str:part>.html",
        views.scenario_frame,
        name="scenario_frame",
    ),
    path("scenarios/<int:scenario_id>/edit/", views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_id>/publish/", views.scenario_publish, name="scenario_publish"),
    path("scanners/", views.scanner_networks, name="scanners"),
]
