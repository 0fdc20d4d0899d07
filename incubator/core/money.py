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
    """Minor units back to an exact major amount with the currency's decimals (``150050`` -> ``1500.50``)."""
    return Decimal(amount_minor).scaleb(-minor_exponent(currency))


def format_money(amount_minor: int | None, currency: str, locale: str = "en") -> str:
    """Locale-aware display; riel is shown without its unused fraction."""
    if amount_minor is None:
        return ""
    value = from_minor(amount_minor, currency)
    if currency == "KHR":
        return format_currency(value, "KHR", format="#,##0\xa0¤", currency_digits=False, locale=locale)
    return format_currency(value, currency, locale=locale)


def convert_minor(amount_minor: int, currency: str, target: str, khr_per_usd: int | Decimal) -> int:
    """Convert between USD and KHR minor units at ``khr_per_usd`` riel to the dollar (rounded half up).

    :param khr_per_usd: how many riel one US dollar buys; must be positive.
    :return: the amount in ``target``'s minor units.
    """
    if currency == target:
        return amount_minor
    rate = Decimal(khr_per_usd)
    if rate <= 0:
        raise ValueError("the exchange rate must be positive")
    value = from_minor(amount_minor, currency)
    if (currency, target) == ("KHR", "USD"):
        converted = value / rate
    elif (currency, target) == ("USD", "KHR"):
        converted = value * rate
    else:
        raise ValueError(f"cannot convert {currency} to {target}")
    scale = Decimal(10) ** minor_exponent(target)
    return int((converted * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))
