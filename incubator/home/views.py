"""Home page per role and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from incubator.auth.models import Role
from incubator.core.uow import commit
from incubator.core.urls import is_safe_next
from incubator.home import queries
from incubator.reports.queries import shared_with

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    context = {"pending_reviews": []}
    if current_user.role in (Role.MANAGER, Role.MENTOR):
        context["pending_reviews"] = queries.my_pending_reviews(current_user)
    if current_user.role == Role.MANAGER:
        context.update(queries.manager_overview())
    if current_user.role == Role.MENTOR:
        context["coming_up"] = queries.mentor_coming_up(current_user)
    if current_user.role == Role.FOUNDER:
        context["startups"] = queries.founder_startups(current_user)
        context["coming_up"] = queries.founder_coming_up(current_user, [s.id for s in context["startups"]])
    if current_user.role == Role.INVESTOR:
        context["shares"] = shared_with(current_user)
    return render_template(f"home/{current_user.role.value}.html", **context)


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("home.index"))
