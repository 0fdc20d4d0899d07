"""The mentor directory and profiles, conflicts of interest, the expertise taxonomy and startups' needs."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from incubator.auth.models import Role
from incubator.cohorts.choices import SECTORS
from incubator.cohorts.models import Cohort, CohortStatus, Startup, TeamMember
from incubator.core.authz import require
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.extensions import db
from incubator.mentoring import forms, queries
from incubator.mentoring.models import LANGUAGES, NEED_PRIORITY_LABELS, ExpertiseTag, MentorConflict
from incubator.mentoring.permissions import (
    can_browse_mentors,
    can_edit_mentor_profile,
    can_edit_needs,
    can_manage_mentoring,
    can_view_needs,
    can_view_startup_mentors,
    is_mentor,
)
from incubator.mentoring.services import profiles as services
from incubator.mentoring.views import bp
from incubator.mentoring.views.common import load_mentor, load_startup

# Directory ------------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def home():
    """Where the navigation's "Mentoring"/"Mentors" entry leads, by role."""
    if can_manage_mentoring(current_user):
        return redirect(url_for("mentoring.cohorts"))
    if is_mentor(current_user):
        return redirect(url_for("mentoring.my_startups"))
    require(current_user.role == Role.FOUNDER)
    startup_id = db.session.scalar(
        sa.select(TeamMember.startup_id).join(Startup).join(Cohort).where(TeamMember.user_id == current_user.id)
        .order_by((Cohort.status == CohortStatus.RUNNING).desc(), Startup.id.desc()).limit(1))
    require(startup_id is not None)
    return redirect(url_for("mentoring.startup_mentors", startup_id=startup_id))


@bp.get("/mentors")
@login_required
def list_mentors():
    require(can_browse_mentors(current_user))
    filters = queries.DirectoryFilters.from_args(request.args)
    page, per_page = page_args(20)
    mentors = db.paginate(queries.directory_query(filters), page=page, per_page=per_page, error_out=False)
    return render_template(
        "mentoring/mentors.html", mentors=mentors, filters=filters, tags=services.active_tags(),
        languages=LANGUAGES, sectors=SECTORS, loads=queries.active_loads([p.user_id for p in mentors.items]),
        manager=can_manage_mentoring(current_user),
    )


@bp.get("/mentors/<int:mentor_id>")
@login_required
def view_mentor(mentor_id: int):
    require(can_browse_mentors(current_user))
    mentor = load_mentor(mentor_id)
    editable = can_edit_mentor_profile(current_user, mentor)
    conflicts = queries.conflicts_of(mentor.id) if editable else []
    return render_template(
        "mentoring/mentor.html", mentor=mentor, profile=services.profile_for(mentor), editable=editable,
        conflicts=conflicts, load=queries.active_loads([mentor.id]).get(mentor.id, 0),
        conflict_form=_conflict_form(mentor, conflicts) if editable else None,
    )


def _conflict_form(mentor, conflicts, formdata=None) -> forms.ConflictForm:
    form = forms.ConflictForm(formdata=formdata)
    taken = {c.startup_id for c in conflicts}
    form.startup_id.choices = [(0, _("Choose a startup"))] + [
        (s.id, f"{s.name} ({s.cohort.name})") for s in queries.startups_for_conflicts() if s.id not in taken]
    return form


# Profiles -------------------------------------------------------------------------------------------


@bp.get("/profile")
@login_required
def my_profile():
    require(is_mentor(current_user))
    return redirect(url_for("mentoring.edit_profile", mentor_id=current_user.id))


@bp.route("/mentors/<int:mentor_id>/edit", methods=["GET", "POST"])
@login_required
def edit_profile(mentor_id: int):
    mentor = load_mentor(mentor_id)
    require(can_edit_mentor_profile(current_user, mentor))
    profile = services.profile_for(mentor)
    form = forms.MentorProfileForm(obj=profile, data=None if profile else {"capacity": 2, "languages": ["en"]})
    current = {t.id for t in profile.expertise} if profile else set()
    offered = [t for t in queries.all_tags() if not t.archived or t.id in current]
    form.tag_ids.choices = [(t.id, t.name) for t in offered]
    if request.method == "GET" and profile:
        form.tag_ids.data = sorted(current)
    if form.validate_on_submit():
        data = {key: form[key].data for key in ("headline", "bio", "languages", "other_languages", "sectors",
                                                "capacity", "tag_ids")}
        if attempt(form, services.save_profile, current_user, mentor, data) is not FAILED:
            flash(_("Profile saved."), "success")
            return redirect(url_for("mentoring.view_mentor", mentor_id=mentor.id))
    return render_template("mentoring/profile_form.html", form=form, mentor=mentor, tags=offered,
                           tag_groups=queries.group_by_category(offered)), (422 if form.errors else 200)


@bp.post("/mentors/<int:mentor_id>/conflicts")
@login_required
def add_conflict(mentor_id: int):
    mentor = load_mentor(mentor_id)
    require(can_edit_mentor_profile(current_user, mentor))
    conflicts = queries.conflicts_of(mentor.id)
    form = _conflict_form(mentor, conflicts, formdata=request.form)
    if form.validate_on_submit():
        startup = db.get_or_404(Startup, form.startup_id.data)
        if attempt(form, services.declare_conflict, current_user, mentor, startup, form.reason.data) is not FAILED:
            flash(_("Conflict of interest recorded: you will not be matched with %(startup)s.", startup=startup.name),
                  "success")
            return redirect(url_for("mentoring.view_mentor", mentor_id=mentor.id) + "#conflicts")
    for error in form.startup_id.errors + form.reason.errors:
        flash(error, "danger")
    return redirect(url_for("mentoring.view_mentor", mentor_id=mentor.id) + "#conflicts")


@bp.post("/conflicts/<int:conflict_id>/delete")
@login_required
def remove_conflict(conflict_id: int):
    conflict = db.first_or_404(sa.select(MentorConflict).where(MentorConflict.id == conflict_id)
                               .options(joinedload(MentorConflict.mentor), joinedload(MentorConflict.startup)))
    require(can_edit_mentor_profile(current_user, conflict.mentor))
    if forms.ActionForm().validate_on_submit():
        perform(services.remove_conflict, current_user, conflict)
        flash(_("Conflict of interest withdrawn."), "info")
    return redirect(url_for("mentoring.view_mentor", mentor_id=conflict.mentor_id) + "#conflicts")


# Taxonomy -------------------------------------------------------------------------------------------


@bp.route("/tags", methods=["GET", "POST"])
@login_required
def list_tags():
    require(can_manage_mentoring(current_user))
    form = forms.TagForm()
    if form.validate_on_submit():
        tag = attempt(form, services.save_tag, current_user, None, form.data)
        if tag is not FAILED:
            flash(_("Tag “%(name)s” added.", name=tag.name), "success")
            return redirect(url_for("mentoring.list_tags"))
    tags = queries.all_tags()
    return render_template("mentoring/tags.html", form=form, groups=queries.group_by_category(tags),
                           usage=queries.tag_usage(), archive_form=forms.ArchiveTagForm(formdata=None)), \
        (422 if form.errors else 200)


@bp.route("/tags/<int:tag_id>/edit", methods=["GET", "POST"])
@login_required
def edit_tag(tag_id: int):
    require(can_manage_mentoring(current_user))
    tag = db.get_or_404(ExpertiseTag, tag_id)
    form = forms.TagForm(obj=tag)
    if form.validate_on_submit():
        if attempt(form, services.save_tag, current_user, tag, form.data) is not FAILED:
            flash(_("Tag saved."), "success")
            return redirect(url_for("mentoring.list_tags"))
    return render_template("mentoring/tag_form.html", form=form, tag=tag), (422 if form.errors else 200)


@bp.post("/tags/<int:tag_id>/archive")
@login_required
def archive_tag(tag_id: int):
    require(can_manage_mentoring(current_user))
    tag = db.get_or_404(ExpertiseTag, tag_id)
    form = forms.ArchiveTagForm()
    if form.validate_on_submit():
        archived = form.archived.data != "0"
        perform(services.set_tag_archived, current_user, tag, archived)
        flash(_("“%(name)s” archived: no longer offered, kept where it is used.", name=tag.name) if archived
              else _("“%(name)s” is offered again.", name=tag.name), "info")
    return redirect(url_for("mentoring.list_tags"))


# Startup needs and mentors --------------------------------------------------------------------------


@bp.get("/startups/<int:startup_id>/needs")
@login_required
def startup_needs(startup_id: int):
    startup = load_startup(startup_id, can_view_needs)
    return render_template("mentoring/needs.html", startup=startup, needs=services.needs_for(startup),
                           priorities=NEED_PRIORITY_LABELS, can_edit=can_edit_needs(current_user, startup))


@bp.route("/startups/<int:startup_id>/needs/edit", methods=["GET", "POST"])
@login_required
def edit_needs(startup_id: int):
    startup = load_startup(startup_id, can_edit_needs)
    needs = services.needs_for(startup)
    current = {row.tag_id: row.priority.value for row in needs.tags} if needs else {}
    offered = [t for t in queries.all_tags() if not t.archived or t.id in current]
    form_class = forms.needs_form_class(offered)
    defaults = {"languages": list(needs.languages) if needs else list(services.DEFAULT_STARTUP_LANGUAGES),
                "notes": needs.notes if needs else ""} | {f"tag_{k}": v for k, v in current.items()}
    form = form_class(data=defaults)
    if form.validate_on_submit():
        chosen = {t.id: form[f"tag_{t.id}"].data for t in offered if form[f"tag_{t.id}"].data}
        data = {"languages": form.languages.data, "notes": form.notes.data, "tags": chosen}
        if attempt(form, services.save_needs, current_user, startup, data) is not FAILED:
            flash(_("Mentoring needs saved."), "success")
            return redirect(url_for("mentoring.startup_mentors", startup_id=startup.id))
    return render_template("mentoring/needs_form.html", form=form, startup=startup,
                           groups=queries.group_by_category(offered)), (422 if form.errors else 200)


@bp.get("/startups/<int:startup_id>/mentors")
@login_required
def startup_mentors(startup_id: int):
    startup = load_startup(startup_id, can_view_startup_mentors)
    return render_template(
        "mentoring/startup_mentors.html", startup=startup, matches=queries.startup_matches(startup.id),
        needs=services.needs_for(startup), can_edit=can_edit_needs(current_user, startup),
        priorities=NEED_PRIORITY_LABELS, manager=can_manage_mentoring(current_user),
        can_browse=can_browse_mentors(current_user),
    )
