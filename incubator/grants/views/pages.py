"""Reading grants: the managers' overview and cohort page, a startup's grant with its ledger, CSV, receipts."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from incubator.cohorts.models import Cohort
from incubator.core.authz import manager_required
from incubator.core.money import CURRENCIES
from incubator.core.pagination import page_args
from incubator.core.uploads import EVIDENCE_MIMETYPES, upload_path
from incubator.extensions import db
from incubator.grants import exports, queries
from incubator.grants.permissions import can_manage_grants
from incubator.grants.views import bp
from incubator.grants.views.common import load_entry, load_grant, load_startup
from incubator.progress.periods import local_today


def _target_currency() -> str:
    chosen = request.args.get("in", "USD")
    return chosen if chosen in CURRENCIES else "USD"


@bp.get("/")
@manager_required
def overview():
    target = _target_currency()
    return render_template("grants/overview.html", lines=queries.overview(target, local_today()), target=target)


@bp.get("/cohorts/<int:cohort_id>")
@manager_required
def cohort_grants(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    today = local_today()
    return render_template("grants/cohort.html", data=queries.cohort_grants(cohort, today), today=today)


@bp.get("/startups/<int:startup_id>")
@login_required
def startup_grant(startup_id: int):
    startup = load_startup(startup_id)
    grant_id = queries.grant_of_startup(startup.id)
    if grant_id is not None:
        return redirect(url_for("grants.view_grant", grant_id=grant_id))
    return render_template("grants/none.html", startup=startup, manager=can_manage_grants(current_user))


@bp.get("/<int:grant_id>")
@login_required
def view_grant(grant_id: int):
    grant = load_grant(grant_id)
    today = local_today()
    page, per_page = page_args(queries.LEDGER_PAGE)
    entries = db.paginate(queries.entries_query(grant.id), page=page, per_page=per_page, error_out=False)
    manager = can_manage_grants(current_user)
    return render_template(
        "grants/grant.html", grant=grant, startup=grant.startup, entries=entries, today=today, manager=manager,
        payable_minor=queries.payable_now(grant, today), next_tranche=queries.next_to_unlock(grant, today),
    )


@bp.get("/<int:grant_id>/ledger.csv")
@login_required
def ledger_csv(grant_id: int):
    grant = load_grant(grant_id)
    slug = "".join(ch if ch.isalnum() else "-" for ch in grant.startup.name.lower()).strip("-") or "startup"
    filename = f"grant-{grant.id}-{slug}-ledger-{local_today():%Y-%m-%d}.csv"
    return Response(exports.ledger_csv(grant), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.get("/entries/<int:entry_id>/receipt")
@login_required
def entry_receipt(entry_id: int):
    entry = load_entry(entry_id)
    if not entry.receipt_path:
        abort(404)
    extension = entry.receipt_path.rsplit(".", 1)[-1]
    try:
        path = upload_path(entry.receipt_path)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=EVIDENCE_MIMETYPES.get(extension, "application/octet-stream"),
                     download_name=entry.receipt_name or f"receipt.{extension}", as_attachment=extension == "pdf",
                     max_age=0)
