"""Imports every domain's models so the mapper registry and Alembic see the whole schema."""
from incubator.applications.models import (  # noqa: F401
    Application,
    ApplicationFounder,
    ReviewAssignment,
    ReviewScore,
    RubricCriterion,
)
from incubator.audit.models import AuditEntry  # noqa: F401
from incubator.auth.models import ApiToken, Invitation, User  # noqa: F401
from incubator.cohorts.models import Cohort, Program, Startup, TeamMember  # noqa: F401
from incubator.jobs.models import JobRun, SchedulerHeartbeat  # noqa: F401
from incubator.notifications.models import Notification, NotificationPreference, OutboxMessage  # noqa: F401
from incubator.progress.models import (  # noqa: F401
    CheckIn,
    ExchangeRate,
    KpiCustomValue,
    KpiMetric,
    KpiReport,
    KpiVersion,
    Milestone,
    MilestoneChange,
    MilestoneTemplate,
)
