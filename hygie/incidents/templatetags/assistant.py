"""Template filters of the incident assistant's pages and PDF."""

from __future__ import annotations

import datetime as dt

from django import template

from hygie.lib.dates import long_date

register = template.Library()


@register.filter(name="long_date")
def long_date_filter(value: dt.date | dt.datetime | None, weekday: bool = True) -> str:
    """`{{ due|long_date }}`: "jeudi 1er mai 2025"; `{{ d|long_date:False }}` drops the weekday."""
    if value is None or value == "":
        return ""
    return long_date(value, weekday=bool(weekday))
