"""The daily grant job (see ``incubator/jobs/registry.py``): announce tranches that became payable.

Payable is never stored, it follows from a verified milestone or a date that has come; this job turns
the change into messages without any hook in the progress domain. It reads every tranche that is
unlocked, not fully paid and not announced yet in one query, tells the startup's founders (one message
per tranche) and each manager (one message listing them all), and stamps ``payable_notified_at`` so a
tranche is announced once. A tranche whose condition a manager later changes is announced again.
Dedupe keys are per tranche condition and recipient, so a forced rerun tells nobody twice.
"""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from incubator.cohorts.models import Startup, StartupStatus
from incubator.extensions import db
from incubator.grants import notices
from incubator.grants.models import Grant, Tranche, unlocked_clause
from incubator.progress.models import Milestone


def _run_day(run) -> date:
    """The local day the run happens, kept inside its period (a run for a past period uses its last day)."""
    zone = ZoneInfo(run.timezone)
    first = run.period.start.astimezone(zone).date()
    last = (run.period.end.astimezone(zone) - timedelta(days=1)).date()
    return min(max(run.started_at.astimezone(zone).date(), first), last)


def newly_payable(today: date) -> list[Tranche]:
    """Tranches unlocked by ``today``, not fully paid, not announced, of startups still in the programme
    (one query, with grant, startup and milestone loaded)."""
    return list(db.session.scalars(
        sa.select(Tranche).join(Tranche.grant).join(Grant.startup)
        .outerjoin(Milestone, Milestone.id == Tranche.milestone_id)
        .where(unlocked_clause(today), Tranche.disbursed_minor < Tranche.amount_minor,
               Tranche.payable_notified_at.is_(None), Startup.status != StartupStatus.WITHDRAWN)
        .options(contains_eager(Tranche.grant).contains_eager(Grant.startup), contains_eager(Tranche.milestone))
        .order_by(Startup.name, Tranche.position)
    ))


def grant_tranches_due(run) -> str:
    """Daily: tell founders and managers about tranches that became payable since the last run.

    :param run: the job's ``RunContext`` (its period is the day; a date tranche is payable on its day).
    :return: a short summary for the jobs page.
    """
    tranches = newly_payable(_run_day(run))
    if not tranches:
        return "no tranche became payable"
    sent = notices.tell_payable(tranches, run.job_name)
    for tranche in tranches:
        tranche.payable_notified_at = run.started_at
    db.session.flush()
    startups = len({t.grant.startup_id for t in tranches})
    return f"{len(tranches)} tranches of {startups} startups became payable; {sent} messages"

