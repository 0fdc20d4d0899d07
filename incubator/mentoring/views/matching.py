"""Matching pages: managers run, review, change and publish a cohort's matches; mentors answer theirs."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.extensions import db
from incubator.mentoring import forms
from incubator.mentoring import proposals as boards
from incubator.mentoring.models import LANGUAGES, MATCH_STATUS_LABELS, SHORTFALL_LABELS, Match, MatchStatus
from incubator.mentoring.permissions import can_answer_match, can_manage_mentoring, is_mentor
from incubator.mentoring.services import match_answers
from incubator.mentoring.services import matching as services
from incubator.mentoring.views import bp
from incubator.mentoring.views.common import load_cohort, load_match, load_mentor


def _manage(user, match) -> bool:
    return can_manage_mentoring(user)


def _back(cohort_id: int):
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/mentoring/")
                    else url_for("mentoring.proposals", cohort_id=cohort_id))


# Managers -------------------------------------------------------------------------------------------


@bp.get("/cohorts")
@login_required
def cohorts():
    require(can_manage_mentoring(current_user))
    rows = db.session.scalars(sa.select(Cohort).options(selectinload(Cohort.program))
                              .order_by((Cohort.status == CohortStatus.RUNNING).desc(), Cohort.starts_on.desc())).all()
    startups = dict(db.session.execute(sa.select(Startup.cohort_id, sa.func.count(Startup.id))
                                       .where(Startup.status == StartupStatus.ACTIVE)
                                       .group_by(Startup.cohort_id)).tuples().all())
    return render_template("mentoring/cohorts.html", cohorts=rows, startups=startups,
                           counts=boards.cohort_counts())


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def proposals(cohort_id: int):
    cohort = load_cohort(cohort_id)
    page, per_page = page_args(50)
    status = request.args.get("status", "")
    data = boards.board(cohort, page, per_page, status)
    return render_template(
        "mentoring/proposals.html", board=data, cohort=cohort, status=status, status_labels=MATCH_STATUS_LABELS,
        shortfall_labels=SHORTFALL_LABELS, languages=LANGUAGES, action_form=forms.ActionForm(formdata=None),
        editable=cohort.status != CohortStatus.COMPLETED,
    )


@bp.route("/cohorts/<int:cohort_id>/settings", methods=["GET", "POST"])
@login_required
def matching_settings(cohort_id: int):
    cohort = load_cohort(cohort_id)
    settings = services.settings_for(cohort)
    form = forms.SettingsForm(obj=settings)
    if form.validate_on_submit():
        data = {key: form[key].data for key in services.SETTING_LIMITS}
        if attempt(form, services.save_settings, current_user, cohort, data) is not FAILED:
            flash(_("Matching settings saved. They apply to the next run."), "success")
            return redirect(url_for("mentoring.proposals", cohort_id=cohort.id))
    return render_template("mentoring/settings.html", form=form, cohort=cohort), (422 if form.errors else 200)


@bp.post("/cohorts/<int:cohort_id>/run")
@login_required
def run_matching(cohort_id: int):
    cohort = load_cohort(cohort_id)
    if forms.ActionForm().validate_on_submit():
        run = attempt(None, services.run_matching, current_user, cohort)
        if run is not FAILED:
            flash(" ".join((
                _("Matching done in %(ms)d ms:", ms=run.elapsed_ms),
                ngettext("%(num)d new proposal,", "%(num)d new proposals,", run.proposed),
                ngettext("%(num)d pair kept,", "%(num)d pairs kept,", run.kept),
                ngettext("%(num)d startup short of mentors.", "%(num)d startups short of mentors.",
                         len(run.shortfalls)),
            )), "success" if not run.shortfalls else "warning")
    return redirect(url_for("mentoring.proposals", cohort_id=cohort.id))


@bp.post("/cohorts/<int:cohort_id>/publish")
@login_required
def publish(cohort_id: int):
    cohort = load_cohort(cohort_id)
    if forms.ActionForm().validate_on_submit():
        published = attempt(None, services.publish, current_user, cohort)
        if published is not FAILED:
            flash(ngettext("%(num)d match published. The mentor was asked to accept; the founders were told.",
                           "%(num)d matches published. Mentors were asked to accept; founders were told.",
                           len(published)), "success")
    return redirect(url_for("mentoring.proposals", cohort_id=cohort.id))


@bp.route("/matches/<int:match_id>/swap", methods=["GET", "POST"])
@login_required
def swap(match_id: int):
    match = load_match(match_id, _manage)
    options = services.swap_options(match) if match.status == MatchStatus.PROPOSED else []
    form = forms.SwapForm()
    form.mentor_id.choices = [(o["mentor"].id, o["mentor"].name) for o in options]
    if form.validate_on_submit():
        mentor = load_mentor(form.mentor_id.data)
        if attempt(form, services.swap_mentor, current_user, match, mentor) is not FAILED:
            flash(_("%(startup)s now has %(mentor)s as proposed mentor (locked).", startup=match.startup.name,
                    mentor=mentor.name), "success")
            return redirect(url_for("mentoring.proposals", cohort_id=match.cohort_id))
    elif request.method == "POST":
        # An option no longer offered (the page was stale) is explained rather than ignored.
        for error in form.mentor_id.errors:
            flash(error, "danger")
    return render_template("mentoring/swap.html", match=match, options=options, form=form,
                           languages=LANGUAGES), (422 if form.errors else 200)


@bp.post("/matches/<int:match_id>/lock")
@login_required
def lock_match(match_id: int):
    match = load_match(match_id, _manage)
    form = forms.LockForm()
    if form.validate_on_submit():
        locked = form.locked.data != "0"
        if attempt(None, services.set_locked, current_user, match, locked) is not FAILED:
            flash(_("Locked: the next run keeps this pair.") if locked else _("Unlocked: the next run may change it."),
                  "info")
    return _back(match.cohort_id)


@bp.post("/matches/<int:match_id>/remove")
@login_required
def remove_match(match_id: int):
    match = load_match(match_id, _manage)
    if forms.ActionForm().validate_on_submit():
        was = match.status
        if attempt(None, services.remove_match, current_user, match) is not FAILED:
            flash(_("Pair removed; matching will not propose it again.") if was == MatchStatus.PROPOSED
                  else _("Match ended; the mentor and the founders were told."), "info")
    return _back(match.cohort_id)


# Mentors --------------------------------------------------------------------------------------------


def _my_matches():
    return db.session.scalars(
        sa.select(Match).where(Match.mentor_id == current_user.id, Match.status != MatchStatus.PROPOSED)
        .options(joinedload(Match.startup).selectinload(Startup.members), joinedload(Match.cohort))
        .order_by(Match.id.desc())).all()


def _render_mine(decline_form=None, declining: int | None = None, status: int = 200):
    matches = _my_matches()
    return render_template(
        "mentoring/my_startups.html", matches=matches,
        waiting=[m for m in matches if m.status == MatchStatus.PUBLISHED],
        current=[m for m in matches if m.status == MatchStatus.ACCEPTED],
        past=[m for m in matches if m.status in (MatchStatus.DECLINED, MatchStatus.ENDED)],
        decline_form=decline_form or forms.DeclineForm(formdata=None), declining=declining,
        action_form=forms.ActionForm(formdata=None),
    ), status


@bp.get("/my-startups")
@login_required
def my_startups():
    require(is_mentor(current_user))
    return _render_mine()


@bp.post("/matches/<int:match_id>/accept")
@login_required
def accept_match(match_id: int):
    match = load_match(match_id, can_answer_match)
    if forms.ActionForm().validate_on_submit():
        if attempt(None, match_answers.accept_match, current_user, match) is not FAILED:
            flash(_("Thank you! %(startup)s's founders were told and can now book sessions with you.",
                    startup=match.startup.name), "success")
    return redirect(url_for("mentoring.my_startups"))


@bp.post("/matches/<int:match_id>/decline")
@login_required
def decline_match(match_id: int):
    match = load_match(match_id, can_answer_match)
    form = forms.DeclineForm()
    if form.validate_on_submit():
        try:
            perform(match_answers.decline_match, current_user, match, form.reason.data)
        except ServiceError as exc:
            if not exc.fields:  # no longer waiting for an answer
                flash(exc.message, "danger")
                return redirect(url_for("mentoring.my_startups"))
            form.reason.errors = list(exc.fields.get("reason", [exc.message]))
        else:
            flash(_("Declined. The incubator team will find %(startup)s another mentor.", startup=match.startup.name),
                  "info")
            return redirect(url_for("mentoring.my_startups"))
    return _render_mine(form, declining=match.id, status=422)
