"""No model field has a fixed date or time for default.

Django's check (fields.W161) flags such a default when it runs within ten seconds of that
time of day: `manage.py check --deploy --fail-level WARNING` failed at 19:00:00 UTC because
of a sending window ending at 19:00. A function gives the same default without the flag.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils import timezone


def test_no_field_has_a_fixed_date_or_time_for_default():
    fixed = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(getattr(field, "default", None), dt.date | dt.time)
    ]
    assert fixed == []


def test_the_sending_window_passes_the_check_at_its_own_hours(monkeypatch):
    from hygie.delivery.models import Mailing

    for name, hour in (("window_start", 8), ("window_end", 19)):
        at = timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        assert Mailing._meta.get_field(name).check() == []
