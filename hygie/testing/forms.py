"""What a browser posts for fields that a form pre-fills."""

from __future__ import annotations

# The sending window's fields as a creation form shows them, untouched: Monday to Friday,
# 08:00 to 19:00 (hygie.delivery.windows).
DEFAULT_WINDOW = {
    "window_days": ["0", "1", "2", "3", "4"],
    "window_start": "08:00",
    "window_end": "19:00",
}
