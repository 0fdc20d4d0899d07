"""A startup's investor profile (founders and managers): details, consent, funding rounds, preview, generate."""
from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.auth.models import Role
from incubator.core.authz import require
from incubator.core.money import from_minor, to_minor
from incubator.core.uow import FAILED, attempt
from incubator.extensions import db
from incubator.progress.periods import local_today
from incubator.reports import generation, queries, services
from incubator.reports.forms import ConfirmForm, ConsentForm, FundingRoundForm, GenerateForm, InvestorProfileForm
from incubator.reports.models import FundingRound, ReportKind
from incubator.reports.onepager import build_onepager, profile_for
from incubator.reports.permissions import can_generate_onepager
from incubator.reports.render import render_body
from incubator.reports.sections import SECTION_HELP, SECTIONS
from incubator.reports.views import bp
from incubator.reports.views.common import load_profile_startup, private


@bp.get("/mine")
@login_required
def my_profiles():
    require(current_user.role == Role.FOUNDER)
    startups = queries.founder_startups(current_user)
    if len(startups) == 1:
        return redirect(url_for("reports.investor_profile", startup_id=startups[0].id))
    return render_template("reports/my_profiles.html", startups=startups)


def _profile_data(form: InvestorProfileForm) -> dict:
    data = {key: form[key].data or "" for key in ("tagline", "problem", "solution", "use_of_funds", "contact_name",
                                                  "contact_email", "contact_phone", "ask_instrument")}
    data["ask_currency"] = form.ask_currency.data
    amount = form.ask_amount.data
    data["ask_minor"] = to_minor(amount, form.ask_currency.data) if amount is not None else None
    return data


def _page(startup, form=None, consent_form=None, round_form=None, status=200):
    profile = profile_for(startup)
    if form is None:
        form = InvestorProfileForm(formdata=None, obj=profile)
        if profile.ask_minor is not None:
            form.ask_amount.data = from_minor(profile.ask_minor, profile.ask_currency)
    consent_form = consent_form or ConsentForm(formdata=None, sections=list(profile.shared_sections or []))
    rounds = db.session.scalars(db.select(FundingRound).where(FundingRound.startup_id == startup.id)
                                .order_by(FundingRound.closed_on.desc(), FundingRound.id.desc())).all()
    snapshots = db.session.scalars(queries.snapshots_query(startup_id=startup.id).limit(20)).all()
    return render_template(
        "reports/profile.html", startup=startup, profile=profile, form=form, consent_form=consent_form,
        round_form=round_form or FundingRoundForm(formdata=None, currency=startup.currency),
        rounds=rounds, snapshots=snapshots, section_help=SECTION_HELP, sections=SECTIONS,
        generate_form=GenerateForm(formdata=None), delete_form=ConfirmForm(formdata=None),
        can_generate=can_generate_onepager(current_user, startup), today=local_today(),
    ), status


@bp.route("/startups/<int:startup_id>/profile", methods=["GET", "POST"])
@login_required
def investor_profile(startup_id: int):
    startup = load_profile_startup(startup_id)
    if request.method == "GET":
        return _page(startup)
    form = InvestorProfileForm()
    if form.validate_on_submit():
        if attempt(form, services.save_profile, current_user, startup, _profile_data(form)) is not FAILED:
            flash(_("Investor profile saved."), "success")
            return redirect(url_for("reports.investor_profile", startup_id=startup.id))
    return _page(startup, form=form, status=422)


@bp.post("/startups/<int:startup_id>/consent")
@login_required
def set_consent(startup_id: int):
    startup = load_profile_startup(startup_id)
    form = ConsentForm()
    if form.validate_on_submit():
        if attempt(form, services.set_consent, current_user, startup, form.sections.data or []) is not FAILED:
            flash(_("Saved. Investors will see only the sections you ticked; check the preview."), "success")
            return redirect(url_for("reports.investor_profile", startup_id=startup.id) + "#consent")
    return _page(startup, consent_form=form, status=422)


@bp.post("/startups/<int:startup_id>/rounds")
@login_required
def add_round(startup_id: int):
    startup = load_profile_startup(startup_id)
    form = FundingRoundForm()
    if form.validate_on_submit():
        amount: Decimal = form.amount.data
        data = {"kind": form.kind.data, "closed_on": form.closed_on.data, "currency": form.currency.data,
                "amount_minor": to_minor(amount, form.currency.data), "investors": form.investors.data or ""}
        if attempt(form, services.add_round, current_user, startup, data) is not FAILED:
            flash(_("Funding round added."), "success")
            return redirect(url_for("reports.investor_profile", startup_id=startup.id) + "#funding")
    return _page(startup, round_form=form, status=422)


@bp.post("/rounds/<int:round_id>/delete")
@login_required
def delete_round(round_id: int):
    funding_round = db.get_or_404(FundingRound, round_id)
    startup = load_profile_startup(funding_round.startup_id)
    if attempt(ConfirmForm(), services.delete_round, current_user, funding_round) is not FAILED:
        flash(_("Funding round removed."), "success")
    return redirect(url_for("reports.investor_profile", startup_id=startup.id) + "#funding")


@bp.get("/startups/<int:startup_id>/preview")
@login_required
def preview(startup_id: int):
    startup = load_profile_startup(startup_id)
    profile = profile_for(startup)
    shared = list(profile.shared_sections or [])
    show_all = current_user.is_manager and request.args.get("all") == "1"
    locale = request.args.get("lang", current_user.locale)
    locale = locale if locale in generation.LOCALES else "en"
    sections = list(SECTIONS) if show_all else shared
    data = build_onepager(startup, local_today(), sections)
    hidden = [] if show_all else [key for key in SECTIONS if key not in shared]
    logo_url = url_for("cohorts.startup_logo", startup_id=startup.id) if startup.logo_path else None
    body = render_body(ReportKind.ONE_PAGER, data, locale, logo_url, preview_hidden=hidden)
    return private(render_template("reports/preview.html", startup=startup, body=body, show_all=show_all,
                                   locale=locale, shared=shared))


@bp.post("/startups/<int:startup_id>/one-pagers")
@login_required
def generate_onepager(startup_id: int):
    startup = load_profile_startup(startup_id)
    require(can_generate_onepager(current_user, startup))
    form = GenerateForm()
    if not form.validate_on_submit():
        flash(_("Choose English or Khmer."), "danger")
        return redirect(url_for("reports.investor_profile", startup_id=startup.id))
    snapshot = attempt(form, generation.generate_onepager, current_user, startup, form.locale.data)
    if snapshot is FAILED:
        return redirect(url_for("reports.investor_profile", startup_id=startup.id) + "#one-pagers")
    flash(_("One-pager generated (version %(n)d of %(date)s).", n=snapshot.version, date=snapshot.as_of.isoformat()),
          "success")
    return redirect(url_for("reports.view_snapshot", snapshot_id=snapshot.id))
