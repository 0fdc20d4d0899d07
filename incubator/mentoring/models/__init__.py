"""Mentoring models, one module per concern (profiles and matching; availability and bookings)."""
from incubator.mentoring.models import availability, bookings  # noqa: F401,E402  (availability, sessions, feeds)
from incubator.mentoring.models.matching import (  # noqa: F401
    ACTIVE_STATUSES,
    KEPT_STATUSES,
    MATCH_STATUS_LABELS,
    SHORTFALL_LABELS,
    Match,
    MatchRun,
    MatchStatus,
)
from incubator.mentoring.models.profiles import (  # noqa: F401
    LANGUAGES,
    NEED_PRIORITY_LABELS,
    ExpertiseTag,
    MatchingSettings,
    MentorConflict,
    MentorLanguage,
    MentorProfile,
    MentorSector,
    NeedPriority,
    StartupNeeds,
    StartupNeedTag,
)
