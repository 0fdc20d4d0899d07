"""Progress pages, mounted at ``/progress``: the cohort dashboard (managers) and each startup's progress.

The routes live in three modules by audience: ``cohort`` (managers: dashboard, plan, settings, export,
help flags), ``startup`` (the progress page and milestones) and ``reporting`` (KPI reports, check-ins).
"""
from babel.numbers import format_decimal
from flask import Blueprint
from flask_babel import get_locale

from incubator.progress.permissions import can_view_progress

bp = Blueprint("progress", __name__)
# Other domains' pages (home, startup profile) link here only for people who may follow the link.
bp.add_app_template_global(can_view_progress, "can_view_progress")


@bp.app_template_filter("number")
def format_number(value) -> str:
    """A count in the viewer's locale (grouping separators)."""
    return "" if value is None else format_decimal(value, locale=str(get_locale() or "en"))


from incubator.progress.views import cohort, reporting, startup  # noqa: E402,F401
