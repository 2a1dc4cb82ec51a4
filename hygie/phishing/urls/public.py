"""Tracked links, served on the tracking host names only (see hygie/urls_tracking.py)."""

from django.urls import path

from hygie.phishing.outage import spooled
from hygie.phishing.views import public as views

urlpatterns = [
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
    # The image's name varies per campaign (variants.IMAGE_NAMES); any name is served.
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
