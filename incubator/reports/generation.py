"""Generating report snapshots: gather the figures, render the PDF, store both, number the version.

A snapshot is built in three steps so the slow one holds no database transaction: ``gather_*`` reads
the figures (plain data), ``render_snapshot_files`` renders the PDF and copies the logo to disk (no
database), and ``store_snapshot`` inserts the row with the next version number (flush only). A web
request runs them back to back through ``generate_*``; the monthly batch commits between them.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Cohort, Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.uploads import upload_path
from incubator.db import utcnow
from incubator.extensions import db
from incubator.progress.periods import incubator_zone, local_today
from incubator.reports.impact import build_impact
from incubator.reports.models import ReportKind, ReportSnapshot, ReportSource
from incubator.reports.onepager import build_onepager, profile_for
from incubator.reports.render import render_pdf

LOCALES = ("en", "km")
LOGO_MAX_PX = 320
# Founders may refresh their one-pager this many times a day (each PDF costs a second of CPU).
FOUNDER_DAILY_LIMIT = 10


@dataclass
class Draft:
    """A snapshot that is gathered (and maybe rendered) but not stored yet."""

    kind: ReportKind
    subject_key: str
    startup_id: int | None
    cohort_id: int
    title: str
    as_of: date
    locale: str
    data: dict
    sections: list[str]
    logo_source: str | None = None
    generated_at: datetime | None = None
    pdf_path: str = ""
    pdf_bytes: int = 0
    pdf_sha256: str = ""
    logo_path: str | None = None


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ServiceError.on("locale", _("Choose English or Khmer."))


def gather_onepager(startup: Startup, locale: str, as_of: date | None = None) -> Draft:
    """The one-pager's figures, limited to the sections the startup's founders share with investors."""
    _check_locale(locale)
    as_of = as_of or local_today()
    sections = list(profile_for(startup).shared_sections or [])
    data = build_onepager(startup, as_of, sections)
    logo = startup.logo_path if "company" in sections else None
    return Draft(ReportKind.ONE_PAGER, f"startup:{startup.id}", startup.id, startup.cohort_id, startup.name[:160],
                 as_of, locale, data, data["sections"], logo_source=logo)


def gather_cohort_report(cohort: Cohort, locale: str, as_of: date | None = None) -> Draft:
    """The cohort impact report's figures."""
    _check_locale(locale)
    as_of = as_of or local_today()
    return Draft(ReportKind.COHORT_IMPACT, f"cohort:{cohort.id}", None, cohort.id, cohort.name[:160], as_of, locale,
                 build_impact(cohort, as_of), [])


def _write(relative: str, content: bytes) -> None:
    target = Path(current_app.config["UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _copy_logo(source: str | None, stem: str) -> str | None:
    """A small PNG copy of the startup's logo, so the snapshot keeps the logo it was made with."""
    if not source:
        return None
    try:
        with Image.open(upload_path(source)) as image:
            image.thumbnail((LOGO_MAX_PX, LOGO_MAX_PX))
            out = io.BytesIO()
            image.convert("RGBA").save(out, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or unreadable logo leaves the header without one
    relative = f"reports/logos/{stem}.png"
    _write(relative, out.getvalue())
    return relative


def render_snapshot_files(draft: Draft) -> Draft:
    """Render the PDF and copy the logo to the upload folder (no database access).

    :return: the same draft, with its file paths, size and checksum filled in.
    """
    stem = uuid.uuid4().hex
    draft.generated_at = utcnow()
    draft.logo_path = _copy_logo(draft.logo_source, stem)
    logo_file = upload_path(draft.logo_path) if draft.logo_path else None
    pdf = render_pdf(draft.kind, draft.data, draft.locale, draft.generated_at, logo_file)
    draft.pdf_path = f"reports/{draft.kind.value}/{draft.as_of:%Y-%m}/{stem}.pdf"
    _write(draft.pdf_path, pdf)
    draft.pdf_bytes, draft.pdf_sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
    return draft


def discard_files(draft: Draft) -> None:
    """Delete the files of a draft that was never stored (its insert failed)."""
    for relative in (draft.pdf_path, draft.logo_path):
        if relative:
            try:
                upload_path(relative).unlink(missing_ok=True)
            except FileNotFoundError:
                pass


def next_version(kind: ReportKind, subject_key: str, as_of: date) -> int:
    latest = db.session.scalar(
        sa.select(sa.func.max(ReportSnapshot.version)).where(
            ReportSnapshot.kind == kind, ReportSnapshot.subject_key == subject_key, ReportSnapshot.as_of == as_of)
    )
    return (latest or 0) + 1


def store_snapshot(actor: User | None, draft: Draft, source: ReportSource = ReportSource.MANUAL,
                   batch_id: int | None = None) -> ReportSnapshot:
    """Insert the rendered draft as the next version of its report (flush only).

    :raises ConflictError: someone stored the same version at the same moment (the unique key caught it).
    """
    snapshot = ReportSnapshot(
        kind=draft.kind, subject_key=draft.subject_key, startup_id=draft.startup_id, cohort_id=draft.cohort_id,
        title=draft.title, as_of=draft.as_of, version=next_version(draft.kind, draft.subject_key, draft.as_of),
        locale=draft.locale, source=source, data=draft.data, sections=draft.sections, pdf_path=draft.pdf_path,
        pdf_bytes=draft.pdf_bytes, pdf_sha256=draft.pdf_sha256, logo_path=draft.logo_path,
        created_by_id=actor.id if actor else None, created_at=draft.generated_at or utcnow(), batch_id=batch_id,
    )
    db.session.add(snapshot)
    db.session.flush()
    record(actor, "report.generated", snapshot, label=f"{snapshot.kind_label}: {snapshot.title}",
           version=snapshot.version, locale=snapshot.locale, source=source.value)
    return snapshot


def _generate(actor: User, draft: Draft) -> ReportSnapshot:
    render_snapshot_files(draft)
    try:
        return store_snapshot(actor, draft)
    except Exception:
        discard_files(draft)
        raise


def _founder_quota(actor: User, startup: Startup) -> None:
    if actor.is_manager:
        return
    today_start = datetime.combine(local_today(), datetime.min.time(), tzinfo=incubator_zone())
    made = db.session.scalar(
        sa.select(sa.func.count(ReportSnapshot.id)).where(
            ReportSnapshot.subject_key == f"startup:{startup.id}", ReportSnapshot.created_by_id.is_not(None),
            ReportSnapshot.source == ReportSource.MANUAL, ReportSnapshot.created_at >= today_start)
    )
    if made >= FOUNDER_DAILY_LIMIT:
        raise ConflictError(_("You have generated %(n)d one-pagers today; try again tomorrow.", n=made))


def generate_onepager(actor: User, startup: Startup, locale: str) -> ReportSnapshot:
    """Generate a one-pager of ``startup`` now, with the sections its founders share.

    :param actor: a manager, or one of the startup's founders (limited to ``FOUNDER_DAILY_LIMIT`` a day).
    :return: the stored snapshot (its PDF is on disk).
    """
    _founder_quota(actor, startup)
    return _generate(actor, gather_onepager(startup, locale))


def generate_cohort_report(actor: User, cohort: Cohort, locale: str) -> ReportSnapshot:
    """Generate the cohort's impact report now.

    :return: the stored snapshot (its PDF is on disk).
    """
    return _generate(actor, gather_cohort_report(cohort, locale))
