"""Money as integer minor units plus an ISO 4217 currency (USD, KHR)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

CURRENCIES = ("USD", "KHR")


def minor_exponent(currency: str) -> int:
    return get_currency_precision(currency)


def to_minor(amount: str | Decimal | int | float, currency: str) -> int:
    """Parse a major-unit amount ("12.50") into minor units (1250); raises ValueError on junk."""
    if currency not in CURRENCIES:
        raise ValueError(f"unsupported currency {currency}")
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a number")
    scale = Decimal(10) ** minor_exponent(currency)
    return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor) / (Decimal(10) ** minor_exponent(currency))


def format_money(amount_minor: int | None, currency: str, locale: str = "en") -> str:
    """Locale-aware display; riel is shown without its unused fraction."""
    if amount_minor is None:
        return ""
    value = from_minor(amount_minor, currency)
    if currency == "KHR":
        return format_currency(value, "KHR", format="#,##0\xa0¤", currency_digits=False, locale=locale)
    return format_currency(value, currency, locale=locale)
