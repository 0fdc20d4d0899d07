"""The monthly reports job (``monthly_reports``, 06:00 on the 1st): every active startup's one-pager and
every running cohort's impact report, as snapshots dated the day of the run.

Unlike the other jobs, this one must not hold one transaction for its whole length (200 PDFs take minutes,
and on SQLite every transaction holds the write lock). So the task commits the runner's transaction
first (the job's claim on this month, and a ``ReportBatch`` row), then builds each report in transactions
of its own: read the figures and commit, render the PDF outside any transaction, then insert the
snapshot and commit. A report that fails is rolled back alone, its files deleted and the failure written
to the batch; the others go on, and the job's summary says how many failed.

Runs are idempotent within a month: a report the month's batches already built is skipped. Because the
claim is committed at the start, a batch cut short (the process killed) is not caught up by itself; the
Reports page shows it as stopped, and "Run now" with "Run again" builds only what is missing.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus
from incubator.db import utcnow
from incubator.extensions import db
from incubator.reports.generation import (
    discard_files,
    gather_cohort_report,
    gather_onepager,
    render_snapshot_files,
    store_snapshot,
)
from incubator.reports.models import ReportBatch, ReportKind, ReportSnapshot, ReportSource

log = logging.getLogger(__name__)
ONE_PAGER_LOCALES = ("en",)
COHORT_REPORT_LOCALES = ("en", "km")
MAX_ERROR = 300


def _run_day(run) -> date:
    zone = ZoneInfo(run.timezone)
    first = run.period.start.astimezone(zone).date()
    last = (run.period.end.astimezone(zone) - timedelta(days=1)).date()
    return min(max(run.started_at.astimezone(zone).date(), first), last)


def plan_items() -> list[tuple[ReportKind, int, str]]:
    """What the batch builds: (kind, startup or cohort id, locale), one-pagers first, by name."""
    startups = db.session.execute(
        sa.select(Startup.id).join(Cohort, Cohort.id == Startup.cohort_id)
        .where(Cohort.status == CohortStatus.RUNNING, Startup.status == StartupStatus.ACTIVE)
        .order_by(Startup.name, Startup.id)
    ).scalars().all()
    cohorts = db.session.execute(
        sa.select(Cohort.id).where(Cohort.status == CohortStatus.RUNNING).order_by(Cohort.starts_on, Cohort.id)
    ).scalars().all()
    items = [(ReportKind.ONE_PAGER, startup_id, locale) for startup_id in startups for locale in ONE_PAGER_LOCALES]
    items += [(ReportKind.COHORT_IMPACT, cohort_id, locale) for cohort_id in cohorts
              for locale in COHORT_REPORT_LOCALES]
    return items


def _already_built(period_key: str) -> set[tuple[str, str, str]]:
    rows = db.session.execute(
        sa.select(ReportSnapshot.kind, ReportSnapshot.subject_key, ReportSnapshot.locale)
        .join(ReportBatch, ReportBatch.id == ReportSnapshot.batch_id)
        .where(ReportBatch.period_key == period_key, ReportSnapshot.source == ReportSource.MONTHLY)
    ).all()
    return {(kind.value if hasattr(kind, "value") else kind, subject, locale) for kind, subject, locale in rows}


def _subject_key(kind: ReportKind, subject_id: int) -> str:
    return f"{'startup' if kind == ReportKind.ONE_PAGER else 'cohort'}:{subject_id}"


def build_item(kind: ReportKind, subject_id: int, locale: str, as_of: date, batch_id: int) -> str:
    """Build and store one report in its own transactions; returns its title. Raises on failure."""
    if kind == ReportKind.ONE_PAGER:
        startup = db.session.get(Startup, subject_id)
        draft = gather_onepager(startup, locale, as_of)
    else:
        draft = gather_cohort_report(db.session.get(Cohort, subject_id), locale, as_of)
    db.session.commit()  # end the read before the slow part
    try:
        render_snapshot_files(draft)
        store_snapshot(None, draft, ReportSource.MONTHLY, batch_id=batch_id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard_files(draft)
        raise
    return draft.title


def _title(kind: ReportKind, subject_id: int) -> str:
    model = Startup if kind == ReportKind.ONE_PAGER else Cohort
    return db.session.scalar(sa.select(model.name).where(model.id == subject_id)) or _subject_key(kind, subject_id)


def run_batch(run_key: str, period_key: str, as_of: date, builder=build_item) -> ReportBatch:
    """Build every planned report not built yet this period, committing per report.

    :param builder: builds one report (tests pass one that fails for a chosen startup).
    :return: the batch record (committed), with its counts and failures.
    """
    items = plan_items()
    done = _already_built(period_key)
    batch = db.session.scalar(sa.select(ReportBatch).where(ReportBatch.run_key == run_key))
    if batch is None:
        batch = ReportBatch(run_key=run_key, period_key=period_key, as_of=as_of, failures=[])
        db.session.add(batch)
    todo = [item for item in items if (item[0].value, _subject_key(item[0], item[1]), item[2]) not in done]
    batch.planned, batch.skipped, batch.failures = len(items), len(items) - len(todo), []
    db.session.commit()
    batch_id = batch.id
    failures = []
    for kind, subject_id, locale in todo:
        try:
            builder(kind, subject_id, locale, as_of, batch_id)
            db.session.execute(sa.update(ReportBatch).where(ReportBatch.id == batch_id)
                               .values(built=ReportBatch.built + 1))
        except Exception as exc:  # one report must not stop the batch
            db.session.rollback()
            log.exception("monthly report %s %s (%s) failed", kind.value, subject_id, locale)
            failures.append({"subject": _subject_key(kind, subject_id), "title": _title(kind, subject_id),
                             "locale": locale, "error": f"{type(exc).__name__}: {exc}"[:MAX_ERROR]})
            db.session.execute(sa.update(ReportBatch).where(ReportBatch.id == batch_id)
                               .values(failures=list(failures)))
        db.session.commit()
    db.session.execute(sa.update(ReportBatch).where(ReportBatch.id == batch_id).values(finished_at=utcnow()))
    db.session.commit()
    return db.session.get(ReportBatch, batch_id)


def monthly_reports(run) -> str:
    """1st of the month: one-pagers of every active startup of the running cohorts, and each running
    cohort's impact report in English and Khmer.

    :param run: the job's ``RunContext`` (its period is the month; reports are dated the day of the run).
    :return: a summary with how many were built, skipped (built earlier this month) and failed.
    """
    batch = run_batch(run.run_key, run.period.key, _run_day(run))
    summary = f"{batch.built} reports built, {len(batch.failures)} failed, {batch.skipped} already built"
    if batch.failures:
        summary += ": " + "; ".join(f"{f['title']} ({f['error'][:40]})" for f in batch.failures[:3])
    return summary
