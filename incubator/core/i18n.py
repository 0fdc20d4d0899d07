"""Locale and time-zone selection plus the Jinja filters that format dates and money per viewer."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import available_timezones

from babel.core import get_global
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, get_timezone, refresh
from flask_login import current_user

from incubator.core.money import format_money


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(list(languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if g and g.get("_forced_timezone"):
        return g._forced_timezone
    if not has_request_context():
        return current_app.config["DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["DEFAULT_TIMEZONE"]


@contextmanager
def force_timezone(tz: str | None) -> Iterator[None]:
    """Format dates and times in ``tz`` inside the block (an email to someone in another zone).

    The time-zone counterpart of Flask-Babel's ``force_locale``; ``None`` changes nothing.
    """
    if not tz:
        yield
        return
    previous = g.get("_forced_timezone")
    g._forced_timezone = tz
    refresh()
    try:
        yield
    finally:
        g._forced_timezone = previous
        refresh()


_TIMEZONES: list[str] | None = None


def timezone_choices() -> list[str]:
    """Current IANA zone names (no legacy aliases such as Asia/Saigon), sorted, computed once per process."""
    global _TIMEZONES
    if _TIMEZONES is None:
        aliases = get_global("zone_aliases")
        _TIMEZONES = sorted(
            z for z in available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/")) and z not in aliases
        )
    return _TIMEZONES



def _local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def _local_date(value: date | datetime | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def _zoned_datetime(value: datetime | None, tz: str, fmt: str = "short") -> str:
    with force_timezone(tz):
        return format_datetime(value, fmt) if value else ""


def _money(amount_minor: int | None, currency: str) -> str:
    return format_money(amount_minor, currency, str(get_locale() or "en"))


def incubator_name() -> str:
    """The incubator's name in the current language (``INCUBATOR_NAME_KM`` for Khmer, when set)."""
    if str(get_locale() or "en") == "km" and current_app.config.get("INCUBATOR_NAME_KM"):
        return current_app.config["INCUBATOR_NAME_KM"]
    return current_app.config["INCUBATOR_NAME"]


def init_template_helpers(app: Flask) -> None:
    app.add_template_filter(_local_datetime, "localdt")
    app.add_template_filter(_local_date, "localdate")
    app.add_template_filter(_zoned_datetime, "zonedt")
    app.add_template_global(_money, "money")

    @app.context_processor
    def inject_i18n():
        return {
            "LANGUAGES": app.config["LANGUAGES"],
            "current_locale": str(get_locale() or "en"),
            "incubator_name": incubator_name(),
            "current_timezone": str(get_timezone()),
        }
