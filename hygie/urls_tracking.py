"""URLs served on the public tracking host names: nothing of the console, no sessions.

The tracking endpoints themselves (pixel, click, landing page, submission,
report) come from the simulations app's public URLs.
"""

from django.urls import path

from hygie.operations.views.public import health
from hygie.phishing.urls import public as phishing_public

urlpatterns = [
    path("healthz", health),
    *phishing_public.urlpatterns,
]

handler404 = "hygie.operations.views.public.tracking_not_found"
