"""Mentor profiles and matching pages, mounted at ``/mentoring``.

``profiles``: the mentor directory and profiles, conflicts of interest, the expertise taxonomy and
startups' needs. ``matching``: cohort settings, runs, proposals (swap, lock, remove), publication, and
mentors' answers. Session booking lives in its own blueprint (``views/booking_blueprint.py``).
"""
from flask import Blueprint

from incubator.mentoring.models import LANGUAGES

bp = Blueprint("mentoring", __name__)


@bp.app_template_filter("language")
def language_label(code: str) -> str:
    return str(LANGUAGES.get(code, code))


from incubator.mentoring.views import matching, profiles  # noqa: E402,F401
