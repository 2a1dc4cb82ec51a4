"""Settings of the server started by bench_tracking: the production settings, with a
tracking URL configuration that adds the baseline view (bench/tracking_urls.py)."""

from hygie.settings import *  # noqa: F403

TRACKING_URLCONF = "bench.tracking_urls"
