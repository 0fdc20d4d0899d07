"""Application endpoints: the public submission, the managers' list and decisions, and reviews."""
from __future__ import annotations

import json
import re
from statistics import mean

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from incubator.api.v1.cohorts import load_cohort
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond, validate
from incubator.api.v1.schemas import (
    ApplicationDetail,
    ApplicationForm,
    ApplicationListQuery,
    ApplicationPage,
    ApplicationReceipt,
    ApplicationSummary,
    CriterionOut,
    CriterionScore,
    Decision,
    FounderOut,
    MyReview,
    ReviewOut,
    ReviewReceipt,
    ReviewSubmission,
    ScoreSummary,
)
from incubator.api.v1.spec import operation
from incubator.applications import services
from incubator.applications.models import Application, ReviewAssignment, ReviewStatus
from incubator.applications.permissions import (
    can_manage_applications,
    can_review,
    can_see_scores,
    can_view_application,
    own_assignment,
)
from incubator.applications.ranking import weighted_mean
from incubator.cohorts.models import Cohort
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.uow import perform
from incubator.extensions import limiter

_INDEXED_FOUNDER = re.compile(r"founders-(\d{1,2})-(name|email|gender)")


def load_application(application_id: int) -> Application:
    """The application with everything its detail view shows (a fixed number of queries), or a 404."""
    return first_or_404(
        sa.select(Application)
        .where(Application.id == application_id)
        .options(
            selectinload(Application.founders),
            selectinload(Application.assignments).selectinload(ReviewAssignment.scores),
            selectinload(Application.assignments).joinedload(ReviewAssignment.reviewer),
            joinedload(Application.cohort).selectinload(Cohort.criteria),
        ),
        _("There is no application with id %(id)d.", id=application_id),
    )


def _score_summary(application: Application) -> ScoreSummary:
    criteria = application.cohort.criteria
    weights = {criterion.id: criterion.weight for criterion in criteria}
    by_criterion: dict[int, list[int]] = {criterion.id: [] for criterion in criteria}
    reviews, reviewer_means = [], []
    for assignment in application.assignments:
        if assignment.status != ReviewStatus.SUBMITTED:
            continue
        scores = {s.criterion_id: s.score for s in assignment.scores if s.criterion_id in weights}
        for criterion_id, score in scores.items():
            by_criterion[criterion_id].append(score)
        value = round(weighted_mean(scores, weights), 2) if scores else None
        if value is not None:
            reviewer_means.append(value)
        reviews.append(ReviewOut(reviewer_name=assignment.reviewer.name, score=value, comment=assignment.comment,
                                 submitted_at=assignment.submitted_at))
    return ScoreSummary(
        assigned=sum(1 for a in application.assignments if a.status != ReviewStatus.CONFLICT),
        submitted=len(reviews),
        score=round(mean(reviewer_means), 2) if reviewer_means else None,
        spread=round(max(reviewer_means) - min(reviewer_means), 2) if reviewer_means else None,
        criteria=[
            CriterionScore(criterion_id=c.id, name=c.name, weight=c.weight,
                           mean=round(mean(by_criterion[c.id]), 2) if by_criterion[c.id] else None)
            for c in criteria
        ],
        reviews=reviews,
    )


def _detail(application: Application) -> ApplicationDetail:
    own = own_assignment(current_user, application)
    return ApplicationDetail(
        **ApplicationSummary.of(application).model_dump(),
        problem=application.problem,
        solution=application.solution,
        traction=application.traction,
        team=application.team,
        website=application.website,
        has_pitch_deck=bool(application.pitch_deck_path),
        decision_note=application.decision_note,
        startup_id=application.startup.id if application.startup else None,
        founders=[FounderOut(name=f.name, email=f.email, gender=f.gender) for f in application.founders],
        criteria=[CriterionOut(id=c.id, name=c.name, description=c.description, weight=c.weight)
                  for c in application.cohort.criteria],
        my_review=MyReview(assignment_id=own.id, status=own.status.value, submitted_at=own.submitted_at)
        if own else None,
        scores=_score_summary(application) if can_see_scores(current_user, application) else None,
    )


@operation("/cohorts/<id:cohort_id>/applications", summary=_l("List a cohort's applications"), tag="applications",
           query=ApplicationListQuery, response=ApplicationPage)
def list_applications(cohort_id: int):
    """A cohort's applications in the order they arrived, optionally filtered by status. Managers only."""
    require(can_manage_applications(current_user))
    cohort = load_cohort(cohort_id)
    args = parse_query(ApplicationListQuery)
    query = (
        sa.select(Application)
        .where(Application.cohort_id == cohort.id)
        .order_by(Application.submitted_at, Application.id)
    )
    if args.status is not None:
        query = query.where(Application.status == args.status)
    applications, envelope = paginate(query, args)
    return respond(ApplicationPage(items=[ApplicationSummary.of(a) for a in applications], **envelope))


@operation("/applications/<id:application_id>", summary=_l("Get an application"), tag="applications",
           response=ApplicationDetail)
def get_application(application_id: int):
    """One application: managers see every one, reviewers those assigned to them (unless conflicted).

    ``scores`` is present only for managers and for reviewers who have submitted their own review.
    """
    application = load_application(application_id)
    require(can_view_application(current_user, application))
    return respond(_detail(application))


@operation("/applications/<id:application_id>/decision", "POST", summary=_l("Decide on an application"),
           tag="applications", body=Decision, response=ApplicationDetail, errors=(409,))
def decide_application(application_id: int):
    """Accept, waitlist or reject, and email the applicant. Managers only.

    Accepting creates the startup and invites its founders. Deciding an accepted application again,
    repeating the same decision, or accepting into a full cohort is a 409.
    """
    require(can_manage_applications(current_user))
    application = load_application(application_id)
    body = parse_body(Decision)
    perform(services.decide, current_user, application, body.decision, body.note)
    return respond(_detail(load_application(application_id)))


@operation("/applications/<id:application_id>/reviews", "POST", summary=_l("Submit my review"),
           tag="applications", body=ReviewSubmission, response=ReviewReceipt, status=201, errors=(409,))
def submit_review(application_id: int):
    """The assigned reviewer scores every rubric criterion from 1 to 5, once; a second submission is a 409."""
    application = load_application(application_id)
    assignment = own_assignment(current_user, application)
    require(assignment is not None and can_review(current_user, assignment))
    body = parse_body(ReviewSubmission)
    perform(services.submit_review, current_user, assignment, body.scores, body.comment)
    return respond(
        ReviewReceipt(application_id=application_id, status=assignment.status.value,
                      submitted_at=assignment.submitted_at, comment=assignment.comment, scores=body.scores),
        201,
    )


def _json_field(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ServiceError(_("The founders field is not valid JSON."),
                           {"founders": [_("Send a JSON array of founders.")]}) from exc


def _founders_from(form) -> list:
    """Founders as a JSON array, one JSON object per repeated field, or web-form style ``founders-0-name``."""
    raw = form.getlist("founders")
    if len(raw) == 1 and raw[0].lstrip().startswith("["):
        return _json_field(raw[0])
    if raw:
        return [_json_field(item) for item in raw]
    rows: dict[int, dict] = {}
    for key, value in form.items():
        match = _INDEXED_FOUNDER.fullmatch(key)
        if match and value.strip():
            rows.setdefault(int(match[1]), {})[match[2]] = value
    # A blank row on the web form still carries its default gender; it is not a founder.
    return [rows[i] for i in sorted(rows) if rows[i].keys() & {"name", "email"}]


def _apply_rate_limit() -> str:
    # The same policy as the web application form.
    return current_app.config["APPLICATION_RATE_LIMIT"]


@operation("/cohorts/<id:cohort_id>/applications", "POST", summary=_l("Apply to a cohort"), tag="applications",
           auth=False, body=ApplicationForm, multipart=True, files={"pitch_deck": "application/pdf"},
           response=ApplicationReceipt, status=201, errors=(409, 413, 429))
@limiter.limit(_apply_rate_limit)
def submit_application(cohort_id: int):
    """Apply to an open cohort; no token needed. Send multipart/form-data with the pitch deck as a PDF.

    A cohort that is not open, past its deadline or already full answers 409.
    """
    cohort = load_cohort(cohort_id)
    fields = request.form.to_dict()
    fields["founders"] = _founders_from(request.form)
    form = validate(ApplicationForm, fields)
    deck = request.files.get("pitch_deck")
    languages = current_app.config["LANGUAGES"]
    locale = form.locale if form.locale in languages else str(get_locale() or "en")
    application = perform(
        services.submit_application,
        cohort,
        form.model_dump(include=set(services.APPLICATION_FIELDS)),
        [founder.model_dump() for founder in form.founders],
        deck.stream if deck else None,
        locale=locale,
    )
    return respond(ApplicationReceipt.of(application), 201)
