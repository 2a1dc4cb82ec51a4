"""`{% rate r %}`: a rate with its interval, the same way in every table and in the PDF."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hygie.analytics.stats import Rate

register = template.Library()


@register.simple_tag
def rate(r: Rate) -> SafeString | str:
    if r.percent is None:
        return "—"
    return format_html(
        '<span class="num">{} %</span> <span class="help">[{}–{}]</span>',
        formats.localize(r.percent),
        formats.localize(r.low),
        formats.localize(r.high),
    )
