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
from incubator.billing.models import BillingCustomer, Charge, MonthlyFee, StripeEvent  # noqa: F401
from incubator.cohorts.models import Cohort, Program, Startup, TeamMember  # noqa: F401
from incubator.grants.models import Grant, LedgerEntry, Tranche  # noqa: F401
from incubator.jobs.models import JobRun, SchedulerHeartbeat  # noqa: F401
from incubator.mentoring import models as _mentoring_models  # noqa: F401  (profiles, matching, bookings)
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
from incubator.reports.models import (  # noqa: F401
    FundingRound,
    InvestorProfile,
    ReportBatch,
    ReportShare,
    ReportSnapshot,
    ReportView,
)
from incubator.resources.models import (  # noqa: F401
    Allowance,
    Blackout,
    Booking,
    BookingSeries,
    Certification,
    OpeningHours,
    Resource,
)
