"""URLs served on the public tracking host names: nothing of the console, no sessions.

The tracking endpoints themselves (pixel, click, landing page, submission,
report) are added by the tracking app.
"""

from django.urls import path

from hygie.operations.views import health
from hygie.phishing.urls import tracking_urlpatterns

urlpatterns = [
    path("healthz", health),
    *tracking_urlpatterns,
]

handler404 = "hygie.operations.views.tracking_not_found"
