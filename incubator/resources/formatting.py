"""Showing amounts of time and units in the viewer's language (template filters and service messages)."""
from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _


def hours_text(minutes: int) -> str:
    """``90`` -> ``1.5 h`` (hours with up to two decimals, in the viewer's locale)."""
    return _("%(hours)s h", hours=format_decimal(minutes / 60, "#,##0.##", locale=str(get_locale() or "en")))


def quantity_text(quantity: int, counted: bool, unit: str = "") -> str:
    """Minutes as hours, or a count of units (``50 credits``)."""
    if not counted:
        return hours_text(quantity)
    number = format_decimal(quantity, locale=str(get_locale() or "en"))
    return f"{number} {unit}".strip()
