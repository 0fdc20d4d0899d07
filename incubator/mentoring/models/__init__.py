"""Mentoring models, one module per concern (profiles and matching; availability and bookings)."""
from incubator.mentoring.models.matching import MATCH_STATUS_LABELS, Match, MatchStatus  # noqa: F401
