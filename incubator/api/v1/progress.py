"""Progress endpoints: a startup's milestones, monthly KPI reports and weekly check-ins.

The same permissions as the web pages: managers see and change everything, a startup's founders
their own startup's progress (another startup's founders get 403); verification and help flags are
for managers. One report per month and one check-in per week are enforced by the database; a clash
is a 409.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.progress_schemas import (
    CheckInIn,
    CheckInOut,
    CheckInPage,
    CheckInPatch,
    EvidenceUpload,
    HelpResolution,
    KpiCorrection,
    KpiIn,
    KpiReportDetail,
    KpiReportOut,
    KpiReportPage,
    KpiVersionOut,
    MilestoneDetail,
    MilestoneIn,
    MilestoneOut,
    MilestonePage,
    MilestonePatch,
    MilestoneVerification,
)
from incubator.api.v1.schemas import PageQuery
from incubator.api.v1.spec import operation
from incubator.api.v1.startups import load_startup
from incubator.cohorts.models import Startup
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.money import to_minor
from incubator.core.uow import perform
from incubator.extensions import db
from incubator.progress.models import (
    CORE_METRICS,
    CheckIn,
    KpiMetric,
    KpiReport,
    KpiVersion,
    MetricKind,
    Milestone,
    MilestoneChange,
)
from incubator.progress.periods import local_today, parse_month
from incubator.progress.permissions import can_manage_progress, can_report_progress, can_view_progress
from incubator.progress.services import checkins as checkin_services
from incubator.progress.services import kpis as kpi_services
from incubator.progress.services import milestones as milestone_services

TAG = "progress"


def _startup(startup_id: int, write: bool = False) -> Startup:
    startup = load_startup(startup_id)
    require(can_report_progress(current_user, startup) if write else can_view_progress(current_user, startup))
    return startup


def _owned(model, object_id: int, message: str, write: bool = False):
    obj = first_or_404(sa.select(model).where(model.id == object_id), message)
    _startup(obj.startup_id, write=write)
    return obj


# Milestones -------------------------------------------------------------------------------------


def _milestone(milestone_id: int, write: bool = False) -> Milestone:
    return _owned(Milestone, milestone_id, _("There is no milestone with id %(id)d.", id=milestone_id), write)


def _milestone_detail(milestone_id: int) -> MilestoneDetail:
    milestone = db.session.get(Milestone, milestone_id, populate_existing=True)
    changes = db.session.scalars(
        sa.select(MilestoneChange).where(MilestoneChange.milestone_id == milestone_id)
        .options(joinedload(MilestoneChange.actor)).order_by(MilestoneChange.id.desc())
    ).all()
    return MilestoneDetail.with_history(milestone, list(changes), local_today())


@operation("/startups/<id:startup_id>/milestones", summary=_l("List a startup's milestones"), tag=TAG,
           query=PageQuery, response=MilestonePage)
def list_milestones(startup_id: int):
    """The startup's milestones by due date, with ``overdue`` worked out as of today (Asia/Phnom_Penh)."""
    startup = _startup(startup_id)
    args = parse_query(PageQuery)
    query = sa.select(Milestone).where(Milestone.startup_id == startup.id).order_by(Milestone.due_on, Milestone.id)
    milestones, envelope = paginate(query, args)
    today = local_today()
    return respond(MilestonePage(items=[MilestoneOut.of(m, today) for m in milestones], **envelope))


@operation("/startups/<id:startup_id>/milestones", "POST", summary=_l("Add a milestone"), tag=TAG,
           body=MilestoneIn, response=MilestoneDetail, status=201)
def create_milestone(startup_id: int):
    """Add a custom milestone to the startup (managers and the startup's founders)."""
    startup = _startup(startup_id, write=True)
    body = parse_body(MilestoneIn)
    milestone = perform(milestone_services.create_milestone, current_user, startup, body.model_dump())
    return respond(_milestone_detail(milestone.id), 201,
                   url_for("api_v1.get_milestone", milestone_id=milestone.id))


@operation("/milestones/<id:milestone_id>", summary=_l("Get a milestone with its history"), tag=TAG,
           response=MilestoneDetail)
def get_milestone(milestone_id: int):
    """One milestone and every change made to it (who, when, old and new value)."""
    _milestone(milestone_id)
    return respond(_milestone_detail(milestone_id))


@operation("/milestones/<id:milestone_id>", "PATCH", summary=_l("Update a milestone"), tag=TAG,
           body=MilestonePatch, response=MilestoneDetail, errors=(409,))
def update_milestone(milestone_id: int):
    """Change the status, evidence link or (where allowed) the details; each change joins the history.

    Founders change only the status (planned, in progress, done) and evidence of plan milestones
    (403 otherwise); marking done without evidence is a 422; a verified milestone is a 409 for founders.
    """
    milestone = _milestone(milestone_id, write=True)
    changes = parse_body(MilestonePatch).model_dump(exclude_unset=True)
    perform(milestone_services.update_milestone, current_user, milestone, changes)
    return respond(_milestone_detail(milestone_id))


@operation("/milestones/<id:milestone_id>/evidence", "POST", summary=_l("Upload a milestone's evidence file"),
           tag=TAG, body=EvidenceUpload, multipart=True, files={"file": "application/octet-stream"},
           response=MilestoneDetail, errors=(409, 413))
def upload_evidence(milestone_id: int):
    """Send ``file`` as multipart/form-data: a PDF, PNG, JPEG or WebP image of at most 8 MB (checked by content)."""
    milestone = _milestone(milestone_id, write=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ServiceError.on("file", _("Attach the evidence file as the form field \u201cfile\u201d."))
    perform(milestone_services.attach_evidence, current_user, milestone, upload.stream, upload.filename)
    return respond(_milestone_detail(milestone_id))


@operation("/milestones/<id:milestone_id>/verification", "POST", summary=_l("Verify or send back a milestone"),
           tag=TAG, body=MilestoneVerification, response=MilestoneDetail, errors=(409,))
def verify_milestone(milestone_id: int):
    """Managers only. A milestone must be done and not yet verified (409 otherwise); sending back needs a comment."""
    require(can_manage_progress(current_user))
    milestone = _milestone(milestone_id)
    body = parse_body(MilestoneVerification)
    perform(milestone_services.verify_milestone, current_user, milestone, body.decision == "verified", body.comment)
    return respond(_milestone_detail(milestone_id))


# KPI reports ------------------------------------------------------------------------------------


def _metric_kinds(cohort_id: int) -> dict[int, MetricKind]:
    return dict(db.session.execute(sa.select(KpiMetric.id, KpiMetric.kind).where(KpiMetric.cohort_id == cohort_id))
                .tuples().all())


def _minor_figures(body, currency: str, kinds: dict[int, MetricKind]) -> tuple[dict, dict]:
    values = {key: to_minor(getattr(body, key), currency) if kind == MetricKind.MONEY else getattr(body, key)
              for key, (_label, kind) in CORE_METRICS.items()}
    custom = {}
    for metric_id, value in body.custom.items():
        if kinds.get(metric_id) == MetricKind.MONEY:
            custom[metric_id] = to_minor(value, currency)
        elif value != value.to_integral_value():
            raise ServiceError.on(f"custom.{metric_id}", _("Enter a whole number."))
        else:
            custom[metric_id] = int(value)
    return values, custom


def _report_detail(report_id: int) -> KpiReportDetail:
    report = db.session.scalar(
        sa.select(KpiReport).where(KpiReport.id == report_id)
        .options(selectinload(KpiReport.versions).selectinload(KpiVersion.custom_values),
                 selectinload(KpiReport.versions).joinedload(KpiVersion.submitted_by))
        .execution_options(populate_existing=True)
    )
    kinds = _metric_kinds(report.startup.cohort_id)
    versions = [KpiVersionOut.of(v, kinds) for v in report.versions]
    return KpiReportDetail(id=report.id, startup_id=report.startup_id, month=f"{report.month:%Y-%m}",
                           latest_version=report.latest_version, current=versions[0], versions=versions)


@operation("/startups/<id:startup_id>/kpi-reports", summary=_l("List a startup's monthly KPI reports"), tag=TAG,
           query=PageQuery, response=KpiReportPage)
def list_kpi_reports(startup_id: int):
    """The startup's reports, newest month first, each with its current version."""
    startup = _startup(startup_id)
    args = parse_query(PageQuery)
    query = (
        sa.select(KpiReport).where(KpiReport.startup_id == startup.id).order_by(KpiReport.month.desc())
        .options(selectinload(KpiReport.versions).selectinload(KpiVersion.custom_values),
                 selectinload(KpiReport.versions).joinedload(KpiVersion.submitted_by))
    )
    reports, envelope = paginate(query, args)
    kinds = _metric_kinds(startup.cohort_id)
    return respond(KpiReportPage(items=[KpiReportOut.of(r, r.versions[0], kinds) for r in reports], **envelope))


@operation("/startups/<id:startup_id>/kpi-reports", "POST", summary=_l("Submit a monthly KPI report"), tag=TAG,
           body=KpiIn, response=KpiReportDetail, status=201, errors=(409,))
def submit_kpi_report(startup_id: int):
    """One report per month, in the startup's currency. A month that already has a report is a 409 (correct it
    instead); a month in the future or women outnumbering their team is a 422."""
    startup = _startup(startup_id, write=True)
    body = parse_body(KpiIn)
    values, custom = _minor_figures(body, startup.currency, _metric_kinds(startup.cohort_id))
    report = perform(kpi_services.submit_kpis, current_user, startup, parse_month(body.month), values, custom,
                     body.note)
    return respond(_report_detail(report.id), 201, url_for("api_v1.get_kpi_report", report_id=report.id))


@operation("/kpi-reports/<id:report_id>", summary=_l("Get a KPI report with every version"), tag=TAG,
           response=KpiReportDetail)
def get_kpi_report(report_id: int):
    """One month's report: the current version and the earlier ones."""
    _owned(KpiReport, report_id, _("There is no KPI report with id %(id)d.", id=report_id))
    return respond(_report_detail(report_id))


@operation("/kpi-reports/<id:report_id>/versions", "POST", summary=_l("Correct a KPI report"), tag=TAG,
           body=KpiCorrection, response=KpiReportDetail, status=201, errors=(409,))
def correct_kpi_report(report_id: int):
    """Add a corrected version with every figure and a note; earlier versions are kept. Pass ``base_version`` to
    get a 409 instead of overwriting a correction someone else made meanwhile."""
    report = _owned(KpiReport, report_id, _("There is no KPI report with id %(id)d.", id=report_id), write=True)
    body = parse_body(KpiCorrection)
    values, custom = _minor_figures(body, report.versions[0].currency, _metric_kinds(report.startup.cohort_id))
    perform(kpi_services.correct_kpis, current_user, report, values, custom, body.note, body.base_version)
    return respond(_report_detail(report_id), 201)


# Check-ins --------------------------------------------------------------------------------------


def _checkin(checkin_id: int, write: bool = False) -> CheckIn:
    return _owned(CheckIn, checkin_id, _("There is no check-in with id %(id)d.", id=checkin_id), write)


@operation("/startups/<id:startup_id>/checkins", summary=_l("List a startup's weekly check-ins"), tag=TAG,
           query=PageQuery, response=CheckInPage)
def list_checkins(startup_id: int):
    """The startup's check-ins, newest week first."""
    startup = _startup(startup_id)
    args = parse_query(PageQuery)
    query = sa.select(CheckIn).where(CheckIn.startup_id == startup.id).order_by(CheckIn.week_start.desc())
    checkins, envelope = paginate(query, args)
    return respond(CheckInPage(items=[CheckInOut.of(c) for c in checkins], **envelope))


@operation("/startups/<id:startup_id>/checkins", "POST", summary=_l("Submit this week's check-in"), tag=TAG,
           body=CheckInIn, response=CheckInOut, status=201, errors=(409,))
def submit_checkin(startup_id: int):
    """The check-in for the current ISO week (Monday to Sunday in Asia/Phnom_Penh); a second one is a 409."""
    startup = _startup(startup_id, write=True)
    body = parse_body(CheckInIn)
    checkin = perform(checkin_services.submit_checkin, current_user, startup, body.model_dump())
    return respond(CheckInOut.of(checkin), 201, url_for("api_v1.get_checkin", checkin_id=checkin.id))


@operation("/checkins/<id:checkin_id>", summary=_l("Get a check-in"), tag=TAG, response=CheckInOut)
def get_checkin(checkin_id: int):
    """One weekly check-in with its help request and resolution."""
    return respond(CheckInOut.of(_checkin(checkin_id)))


@operation("/checkins/<id:checkin_id>", "PATCH", summary=_l("Edit a check-in"), tag=TAG, body=CheckInPatch,
           response=CheckInOut, errors=(409,))
def update_checkin(checkin_id: int):
    """Change some fields until the week ends (then 409). New help on a resolved request reopens it."""
    checkin = _checkin(checkin_id, write=True)
    changes = parse_body(CheckInPatch).model_dump(exclude_unset=True)
    data = {key: getattr(checkin, key) for key in ("progress", "blockers", "help_text", "help_tags", "morale")}
    saved = perform(checkin_services.update_checkin, current_user, checkin, data | changes)
    return respond(CheckInOut.of(saved))


@operation("/checkins/<id:checkin_id>/resolution", "POST", summary=_l("Resolve a help request"), tag=TAG,
           body=HelpResolution, response=CheckInOut, errors=(409,))
def resolve_help(checkin_id: int):
    """Managers only: close the check-in's help flag with a comment the founders see (409 if none is open)."""
    require(can_manage_progress(current_user))
    checkin = _checkin(checkin_id)
    body = parse_body(HelpResolution)
    saved = perform(checkin_services.resolve_help, current_user, checkin, body.comment)
    return respond(CheckInOut.of(saved))
