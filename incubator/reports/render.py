"""Turning snapshot data into the report's HTML (for the web page and the PDF alike) and into a PDF.

The report body is rendered once, in the report's own language (``force_locale``): the same markup is
placed inside the site's page for people reading it on the web, and inside a print document (A4, running
header with the incubator's name and logo, page numbers, generation date) that WeasyPrint turns into the
PDF. Numbers, money and dates are formatted for the report's locale with Babel.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.numbers import format_decimal, format_percent
from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from incubator.cohorts.choices import GENDERS, PROVINCES, SECTORS, STAGES, label
from incubator.cohorts.models import STARTUP_STATUS_LABELS
from incubator.core.i18n import force_timezone, incubator_name
from incubator.core.money import format_money
from incubator.reports import charts
from incubator.reports.models import INSTRUMENTS, ROUND_KINDS, ReportKind
from incubator.reports.pdf import html_to_pdf, incubator_logo_path
from incubator.reports.sections import SECTIONS

BODY_TEMPLATES = {ReportKind.ONE_PAGER: "reports/_onepager.html", ReportKind.COHORT_IMPACT: "reports/_impact.html"}


class Formatter:
    """Formatting helpers for report templates, in the locale the report is rendered in."""

    def __init__(self, locale: str):
        self.locale = locale

    def money(self, amount_minor: int | None, currency: str) -> str:
        return "–" if amount_minor is None else format_money(int(amount_minor), currency, self.locale)

    def number(self, value) -> str:
        return "–" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, locale=self.locale)

    def date(self, iso: str | None, fmt: str = "medium") -> str:
        return format_date(date.fromisoformat(iso), fmt) if iso else ""

    def month(self, iso_month: str | None) -> str:
        return format_date(date.fromisoformat(iso_month + "-01"), "MMMM y") if iso_month else ""

    def hours(self, minutes: int | None) -> str:
        return "–" if minutes is None else format_decimal(round(minutes / 60, 1), locale=self.locale)

    def change(self, before: int | None, after: int | None) -> str:
        """The change from ``before`` to ``after`` as a signed percentage ("+25%"), blank from zero."""
        if not before or after is None:
            return ""
        value = format_percent((after - before) / before, locale=self.locale)
        return value if after < before else "+" + value

    sector = staticmethod(lambda key: label(SECTORS, key))
    stage = staticmethod(lambda key: label(STAGES, key))
    province = staticmethod(lambda key: label(PROVINCES, key))
    gender = staticmethod(lambda key: label(GENDERS, key))
    round_kind = staticmethod(lambda key: label(ROUND_KINDS, key))
    instrument = staticmethod(lambda key: label(INSTRUMENTS, key))
    section = staticmethod(lambda key: label(SECTIONS, key))

    @staticmethod
    def status(key: str) -> str:
        return str(STARTUP_STATUS_LABELS.get(key, key))


def _context(kind: ReportKind, data: dict, locale: str, logo_url: str | None, preview_hidden=()) -> dict:
    fmt = Formatter(locale)
    context = {"data": data, "fmt": fmt, "logo_url": logo_url, "kind": kind, "hidden_sections": list(preview_hidden),
               "section_labels": {key: str(value) for key, value in SECTIONS.items()}}
    if kind == ReportKind.ONE_PAGER:
        context["charts"] = charts.onepager_charts(data["traction"]) if "traction" in data else []
    else:
        context["charts"] = charts.impact_charts(data.get("trend") or [], data["currency"])
        startups = data["startups"]
        context["bars"] = {
            "sector": charts.bar_rows(startups["by_sector"], fmt.sector),
            "province": charts.bar_rows(startups["by_province"], fmt.province),
            "stage": charts.bar_rows(startups["by_stage"], fmt.stage),
            "gender": charts.bar_rows(data["founders"]["by_gender"], fmt.gender),
        }
    return context


def _in_template_context(fn):
    """Rendering needs a request context for templates' helpers; the monthly job has none."""
    if has_request_context():
        return fn()
    with current_app.test_request_context(base_url=current_app.config["APP_BASE_URL"]):
        return fn()


def render_body(kind: ReportKind, data: dict, locale: str, logo_url: str | None = None,
                preview_hidden=()) -> Markup:
    """The report's body in its own language, ready to place in a web page or in the print document.

    :param preview_hidden: for previews, section keys to show as "not shared" placeholders.
    """
    def render() -> Markup:
        with force_locale(locale):
            html = render_template(BODY_TEMPLATES[kind], **_context(kind, data, locale, logo_url, preview_hidden))
        # The output of an autoescaping template: every value in it is already escaped.
        return Markup(html)  # noqa: S704

    return _in_template_context(render)


def report_title(kind: ReportKind, data: dict) -> str:
    """The document's title in the current language."""
    if kind == ReportKind.ONE_PAGER:
        return _("%(startup)s: investor one-pager", startup=data["startup"]["name"])
    return _("%(cohort)s: impact report", cohort=data["cohort"]["name"])


def render_document(kind: ReportKind, data: dict, locale: str, generated_at: datetime,
                    logo_file: Path | None = None) -> str:
    """The complete print document (HTML) the PDF is made from.

    :param generated_at: when the snapshot was generated (shown in every page's footer, in the incubator's zone).
    :param logo_file: the startup logo copied for this snapshot, if any.
    """
    body = render_body(kind, data, locale, logo_file.as_uri() if logo_file else None)

    def render() -> str:
        with force_locale(locale), force_timezone(current_app.config["DEFAULT_TIMEZONE"]):
            return render_template(
                "reports/pdf_document.html", body=body, title=report_title(kind, data), locale=locale,
                incubator=incubator_name(), incubator_logo=_incubator_logo_uri(),
                generated=format_datetime(generated_at, "medium"), generated_iso=generated_at.isoformat(),
                as_of=format_date(date.fromisoformat(data["as_of"]), "medium"),
            )

    return _in_template_context(render)


def _incubator_logo_uri() -> str | None:
    """The incubator's logo file when one is configured; otherwise the template draws a built-in mark."""
    path = incubator_logo_path()
    return path.resolve().as_uri() if path else None


def render_pdf(kind: ReportKind, data: dict, locale: str, generated_at: datetime,
               logo_file: Path | None = None) -> bytes:
    """The report as PDF bytes (see ``render_document``)."""
    return html_to_pdf(render_document(kind, data, locale, generated_at, logo_file))
