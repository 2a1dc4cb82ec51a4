from django.urls import path

from hygie.phishing import console_views, views
from hygie.phishing.outage import spooled

app_name = "phishing"

urlpatterns = [
    path("", console_views.simulation_list, name="simulations"),
    path("new/", console_views.simulation_new, name="simulation_new"),
    path("<int:campaign_id>/", console_views.simulation_results, name="results"),
    path("<int:campaign_id>/launch/", console_views.launch_confirm, name="launch_confirm"),
    path("<int:campaign_id>/preview/", console_views.campaign_preview, name="campaign_preview"),
    path("<int:campaign_id>/hits/", console_views.campaign_hits, name="hits"),
    path("<int:campaign_id>/people/", console_views.campaign_people, name="people"),
    path("scenarios/", console_views.scenario_list, name="scenarios"),
    path("scenarios/<int:scenario_id>/", console_views.scenario_detail, name="scenario"),
    path(
        "scenarios/<int:scenario_id>/attachment.pdf",
        console_views.scenario_attachment_pdf,
        name="scenario_attachment_pdf",
    ),
    path(
        "scenarios/<int:scenario_id>/<str:part>.html",
        console_views.scenario_frame,
        name="scenario_frame",
    ),
    path("scenarios/<int:scenario_id>/edit/", console_views.scenario_edit, name="scenario_edit"),
    path("scanners/", console_views.scanner_networks, name="scanners"),
]

# Served on the tracking host names only (see hygie/urls_tracking.py).
tracking_urlpatterns = [
    path("<slug:prefix>/s.js", views.presence_script, name="presence_script"),
    path(
        "<slug:prefix>/<str:token>/",
        spooled("tracked_link", views.tracked_link),
        name="tracked_link",
    ),
    path(
        "<slug:prefix>/<str:token>/h/",
        spooled("hidden_link", views.hidden_link),
        name="hidden_link",
    ),
    path("<slug:prefix>/<str:token>/q.png", spooled("qr_image", views.qr_image), name="qr_image"),
    # The image's name varies per campaign (services.IMAGE_NAMES); any name is served.
    path(
        "<slug:prefix>/<str:token>/<slug:image>.gif",
        spooled("open_pixel", views.open_pixel),
        name="open_pixel",
    ),
    path("<slug:prefix>/<str:token>/v/", spooled("presence", views.presence), name="presence"),
    path("<slug:prefix>/<str:token>/r/", spooled("report", views.report), name="report"),
    path("<slug:prefix>/<str:token>/pas-moi/", spooled("not_me", views.not_me), name="not_me"),
    path("<slug:prefix>/<str:token>/indices/", views.clue_tap, name="clue_tap"),
]
