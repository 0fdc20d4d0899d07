"""Selection pages: rubric, ranked applications, independent reviews, conflicts and decisions."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from incubator.applications import forms, services
from incubator.applications.models import (
    APPLICATION_STATUS_LABELS,
    Application,
    ApplicationStatus,
    ReviewAssignment,
    ReviewStatus,
)
from incubator.applications.permissions import (
    can_manage_applications,
    can_review,
    can_see_scores,
    can_view_application,
    own_assignment,
)
from incubator.applications.ranking import rank_cohort, weighted_mean
from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort
from incubator.core.authz import manager_required, require
from incubator.core.uow import FAILED, attempt, perform
from incubator.core.uploads import upload_path
from incubator.extensions import db

bp = Blueprint("applications", __name__)


@bp.get("/mine")
@login_required
def my_reviews():
    require(current_user.role in (Role.MANAGER, Role.MENTOR))
    assignments = db.session.scalars(
        sa.select(ReviewAssignment)
        .where(ReviewAssignment.reviewer_id == current_user.id, ReviewAssignment.status != ReviewStatus.CONFLICT)
        .options(selectinload(ReviewAssignment.application).selectinload(Application.cohort))
        .order_by(ReviewAssignment.status, ReviewAssignment.assigned_at.desc())
    ).all()
    return render_template("applications/mine.html", assignments=assignments)


@bp.route("/cohorts/<int:cohort_id>/rubric", methods=["GET", "POST"])
@manager_required
def edit_rubric(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if request.method == "GET" and cohort.criteria:
        form = forms.RubricForm(data={"criteria": [
            {"name": c.name, "description": c.description, "weight": c.weight} for c in cohort.criteria
        ]})
        while len(form.criteria.entries) < 6:
            form.criteria.append_entry()
    else:
        form = forms.RubricForm()
    if form.validate_on_submit():
        if attempt(form, services.set_rubric, current_user, cohort, form.criteria_list()) is not FAILED:
            flash(_("Rubric saved."), "success")
            return redirect(url_for("cohorts.view_cohort", cohort_id=cohort.id))
    return render_template("applications/rubric.html", form=form, cohort=cohort, locked=services.rubric_locked(cohort))


@bp.get("/cohorts/<int:cohort_id>")
@manager_required
def ranking(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    status = request.args.get("status") or None
    if status and status not in {s.value for s in ApplicationStatus}:
        status = None
    ranked = rank_cohort(cohort.id, current_user, status=status)
    return render_template("applications/ranking.html", cohort=cohort, ranked=ranked, status=status,
                           status_labels=APPLICATION_STATUS_LABELS)


def _load_application(application_id: int) -> Application:
    application = db.first_or_404(
        sa.select(Application).where(Application.id == application_id).options(
            selectinload(Application.founders),
            selectinload(Application.assignments).selectinload(ReviewAssignment.reviewer),
            selectinload(Application.assignments).selectinload(ReviewAssignment.scores),
            selectinload(Application.cohort),
        )
    )
    require(can_view_application(current_user, application))
    return application


@bp.get("/applications/<int:application_id>")
@login_required
def view_application(application_id: int):
    application = _load_application(application_id)
    manager = can_manage_applications(current_user)
    reviewers = []
    if manager:
        assigned = {a.reviewer_id for a in application.assignments}
        reviewers = [
            u for u in db.session.scalars(
                sa.select(User).where(User.role.in_([Role.MANAGER, Role.MENTOR]), User.is_active.is_(True))
                .order_by(User.name)
            ) if u.id not in assigned
        ]
    assign_form = forms.AssignReviewerForm()
    assign_form.reviewer_id.choices = [(u.id, f"{u.name} ({u.role_label})") for u in reviewers]
    weights = {c.id: c.weight for c in application.cohort.criteria}
    reviews = [
        (a, weighted_mean({s.criterion_id: s.score for s in a.scores}, weights) if a.scores else None)
        for a in application.assignments
    ]
    return render_template(
        "applications/view.html",
        application=application,
        manager=manager,
        scores_visible=can_see_scores(current_user, application),
        own=own_assignment(current_user, application),
        reviews=reviews,
        submitted_count=sum(1 for a in application.assignments if a.status == ReviewStatus.SUBMITTED),
        criteria={c.id: c for c in application.cohort.criteria},
        assign_form=assign_form,
        decision_form=forms.DecisionForm(formdata=None),
    )


@bp.get("/applications/<int:application_id>/deck")
@login_required
def pitch_deck(application_id: int):
    application = _load_application(application_id)
    if not application.pitch_deck_path:
        abort(404)
    try:
        path = upload_path(application.pitch_deck_path)
        return send_file(path, mimetype="application/pdf", download_name=f"{application.startup_name}.pdf")
    except FileNotFoundError:
        abort(404)


@bp.post("/applications/<int:application_id>/assign")
@manager_required
def assign(application_id: int):
    application = _load_application(application_id)
    reviewer = db.session.get(User, request.form.get("reviewer_id", type=int) or 0)
    if reviewer is None:
        flash(_("Choose a reviewer."), "danger")
    else:
        perform(services.assign_reviewer, current_user, application, reviewer)
        flash(_("%(name)s will review this application.", name=reviewer.name), "success")
    return redirect(url_for("applications.view_application", application_id=application.id))


@bp.post("/assignments/<int:assignment_id>/unassign")
@manager_required
def unassign(assignment_id: int):
    assignment = db.get_or_404(ReviewAssignment, assignment_id)
    application_id = assignment.application_id
    perform(services.unassign_reviewer, current_user, assignment)
    flash(_("Reviewer removed."), "info")
    return redirect(url_for("applications.view_application", application_id=application_id))


def _own_assignment(assignment_id: int) -> ReviewAssignment:
    assignment = db.get_or_404(ReviewAssignment, assignment_id)
    require(can_review(current_user, assignment))
    return assignment


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    application = assignment.application
    criteria = application.cohort.criteria
    form = forms.review_form_class(criteria)()
    if assignment.status == ReviewStatus.SUBMITTED:
        return redirect(url_for("applications.view_application", application_id=application.id))
    if form.validate_on_submit():
        scores = {c.id: form[f"score_{c.id}"].data for c in criteria}
        if attempt(form, services.submit_review, current_user, assignment, scores, form.comment.data or "") \
                is not FAILED:
            flash(_("Review submitted. You can now see the other reviewers' scores."), "success")
            return redirect(url_for("applications.view_application", application_id=application.id))
    return render_template("applications/review.html", assignment=assignment, application=application, form=form,
                           criteria=criteria, conflict_form=forms.ConflictForm(formdata=None)), \
        (422 if form.errors else 200)


@bp.post("/assignments/<int:assignment_id>/conflict")
@login_required
def declare_conflict(assignment_id: int):
    assignment = _own_assignment(assignment_id)
    form = forms.ConflictForm()
    if form.validate_on_submit():
        perform(services.declare_conflict, current_user, assignment, form.reason.data)
        flash(_("Conflict recorded. You have stepped off this application."), "info")
        return redirect(url_for("applications.my_reviews"))
    flash(_("Say briefly what the conflict is."), "danger")
    return redirect(url_for("applications.review", assignment_id=assignment.id))


@bp.post("/applications/<int:application_id>/decision")
@manager_required
def decide(application_id: int):
    application = _load_application(application_id)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose accept, waitlist or reject."), "danger")
    else:
        if attempt(form, services.decide, current_user, application, form.decision.data, form.note.data or "") \
                is not FAILED:
            flash(_("Decision recorded for %(name)s; the applicant has been emailed.",
                    name=application.startup_name), "success")
    return redirect(url_for("applications.view_application", application_id=application_id))
