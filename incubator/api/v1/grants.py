"""Grant endpoints: a startup's grant with its tranches and ledger, and the managers' writes and totals.

The same permissions as the web pages: managers see and change every grant; a startup's founders read
their own startup's grant, ledger and receipts (another startup's founders get 403); mentors and
investors get 403. Writes are for managers only. Rules answer as on the web: paying more than is left on
a tranche, paying a tranche that is not payable without ``early_reason``, reversing an entry twice or
changing the plan after money moved are 409s; bad input is a 422 with ``error.fields``.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.api.v1.errors import abort_json
from incubator.api.v1.grants_schemas import (
    CohortGrantTotals,
    CurrencyTotals,
    DisbursementIn,
    EntryOut,
    EntryPage,
    GrantIn,
    GrantListQuery,
    GrantOut,
    GrantPage,
    GrantPatch,
    GrantSummary,
    ReceiptUpload,
    ReversalIn,
)
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.schemas import PageQuery
from incubator.api.v1.spec import operation
from incubator.api.v1.startups import load_startup
from incubator.cohorts.models import Cohort, Startup
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.core.uow import perform
from incubator.extensions import db
from incubator.grants import queries
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.permissions import can_manage_grants, can_view_grant
from incubator.grants.reporting import converted, rates_for, totals_by_cohort
from incubator.grants.services import ledger as ledger_services
from incubator.grants.services import plans as plan_services
from incubator.grants.services import to_major
from incubator.progress.periods import local_today

TAG = "grants"


def _grant(grant_id: int) -> Grant:
    grant = first_or_404(queries.grant_query(grant_id), _("There is no grant with id %(id)d.", id=grant_id))
    require(can_view_grant(current_user, grant.startup))
    return grant


def _entry(entry_id: int) -> LedgerEntry:
    entry = first_or_404(queries.entry_query(entry_id), _("There is no ledger entry with id %(id)d.", id=entry_id))
    require(can_view_grant(current_user, entry.grant.startup))
    return entry


def _detail(grant_id: int) -> GrantOut:
    grant = db.session.scalar(queries.grant_query(grant_id).execution_options(populate_existing=True))
    today = local_today()
    next_tranche = queries.next_to_unlock(grant, today)
    return GrantOut.detail(grant, today, queries.payable_now(grant, today), next_tranche.id if next_tranche else None)


def _entry_out(entry_id: int) -> EntryOut:
    entry = db.session.scalar(queries.entry_query(entry_id).execution_options(populate_existing=True))
    return EntryOut.of(entry, entry.grant.currency)


def _plan(body: dict) -> dict:
    """The plan service's input from a validated body (amounts as exact decimal strings)."""
    plan = {key: body[key] for key in ("title", "currency", "conditions") if key in body}
    if "total" in body:
        plan["total"] = str(body["total"])
    if "tranches" in body:
        plan["tranches"] = [row | {"amount": str(row["amount"])} for row in body["tranches"]]
    return plan


# Grants ----------------------------------------------------------------------------------------------


@operation("/grants", summary=_l("List grants"), tag=TAG, query=GrantListQuery, response=GrantPage)
def list_grants():
    """Every grant (managers only), newest first, optionally for one cohort."""
    require(can_manage_grants(current_user))
    args = parse_query(GrantListQuery)
    query = sa.select(Grant).join(Grant.startup).options(joinedload(Grant.startup)).order_by(Grant.id.desc())
    if args.cohort_id is not None:
        query = query.where(Startup.cohort_id == args.cohort_id)
    grants, envelope = paginate(query, args)
    return respond(GrantPage(items=[GrantSummary.of(g) for g in grants], **envelope))


@operation("/startups/<id:startup_id>/grant", summary=_l("Get a startup's grant"), tag=TAG, response=GrantOut)
def get_startup_grant(startup_id: int):
    """The startup's grant with its tranches (payable or not, derived as of today); 404 when it has none."""
    startup = load_startup(startup_id)
    require(can_view_grant(current_user, startup))
    grant_id = queries.grant_of_startup(startup.id)
    if grant_id is None:
        abort_json(404, _("%(name)s has no grant.", name=startup.name))
    return respond(_detail(grant_id))


@operation("/startups/<id:startup_id>/grant", "POST", summary=_l("Give a startup its grant"), tag=TAG,
           body=GrantIn, response=GrantOut, status=201, errors=(409,))
def create_grant(startup_id: int):
    """Managers only. The tranche amounts must add up to ``total``; a milestone tranche names one of the
    startup's milestones (not a dropped one). A second grant for the same startup is a 409."""
    require(can_manage_grants(current_user))
    startup = load_startup(startup_id)
    body = parse_body(GrantIn)
    grant = perform(plan_services.create_grant, current_user, startup, _plan(body.model_dump()))
    return respond(_detail(grant.id), 201, url_for("api_v1.get_grant", grant_id=grant.id))


@operation("/grants/<id:grant_id>", summary=_l("Get a grant"), tag=TAG, response=GrantOut)
def get_grant(grant_id: int):
    """A grant with its tranches: managers, and the startup's own founders."""
    _grant(grant_id)
    return respond(_detail(grant_id))


@operation("/grants/<id:grant_id>", "PATCH", summary=_l("Change a grant's plan"), tag=TAG, body=GrantPatch,
           response=GrantOut, errors=(409,))
def update_grant(grant_id: int):
    """Managers only, until the first disbursement (409 after). ``tranches`` replaces the whole plan."""
    require(can_manage_grants(current_user))
    grant = _grant(grant_id)
    changes = _plan(parse_body(GrantPatch).model_dump(exclude_unset=True))
    current = {"title": grant.title, "currency": grant.currency, "conditions": grant.conditions,
               "total": str(to_major(grant.total_minor, grant.currency)),
               "tranches": [{"label": t.label, "amount": str(to_major(t.amount_minor, grant.currency)),
                             "unlock": t.unlock.value, "milestone_id": t.milestone_id, "due_on": t.due_on}
                            for t in grant.tranches]}
    perform(plan_services.update_grant, current_user, grant, current | changes)
    return respond(_detail(grant_id))


@operation("/cohorts/<id:cohort_id>/grant-totals", summary=_l("A cohort's grant totals"), tag=TAG,
           response=CohortGrantTotals)
def get_cohort_grant_totals(cohort_id: int):
    """Managers only: committed, disbursed, remaining and payable now per currency, plus everything converted to
    USD and to KHR at the cohort's riel-per-dollar rate (its progress settings, or the default)."""
    require(can_manage_grants(current_user))
    cohort = first_or_404(sa.select(Cohort).where(Cohort.id == cohort_id),
                          _("There is no cohort with id %(id)d.", id=cohort_id))
    totals = totals_by_cohort([cohort.id]).get(cohort.id, {})
    rate = rates_for([cohort.id])[cohort.id]
    return respond(CohortGrantTotals(
        cohort_id=cohort.id, cohort_name=cohort.name, khr_per_usd=rate.khr_per_usd, rate_is_set=rate.is_set,
        by_currency=[CurrencyTotals.of(t) for _c, t in sorted(totals.items(), reverse=True)],
        converted=[CurrencyTotals.of(converted(totals, target, rate)) for target in ("USD", "KHR")],
    ))


# The ledger ------------------------------------------------------------------------------------------


@operation("/grants/<id:grant_id>/entries", summary=_l("List a grant's ledger"), tag=TAG, query=PageQuery,
           response=EntryPage)
def list_grant_entries(grant_id: int):
    """Every ledger line in order (disbursements and reversals), with the balance after each."""
    grant = _grant(grant_id)
    entries, envelope = paginate(queries.entries_query(grant.id), parse_query(PageQuery))
    return respond(EntryPage(items=[EntryOut.of(e, grant.currency) for e in entries], **envelope))


@operation("/grants/<id:grant_id>/disbursements", "POST", summary=_l("Record a disbursement"), tag=TAG,
           body=DisbursementIn, response=EntryOut, status=201, errors=(409,))
def record_disbursement(grant_id: int):
    """Managers only. More than is left on the tranche is a 409; so is a tranche that is not payable yet
    unless ``early_reason`` says why. Two managers paying at once cannot overdraw: the second waits for the
    first and is then refused if the money is gone. Attach the receipt afterwards (``/receipt``)."""
    require(can_manage_grants(current_user))
    grant = _grant(grant_id)
    body = parse_body(DisbursementIn).model_dump()
    body["amount"] = str(body["amount"])
    entry = perform(ledger_services.record_disbursement, current_user, grant, body)
    return respond(_entry_out(entry.id), 201, url_for("api_v1.get_grant_entry", entry_id=entry.id))


@operation("/grant-entries/<id:entry_id>", summary=_l("Get a ledger entry"), tag=TAG, response=EntryOut)
def get_grant_entry(entry_id: int):
    """One ledger line: managers, and the startup's own founders."""
    _entry(entry_id)
    return respond(_entry_out(entry_id))


@operation("/grant-entries/<id:entry_id>/reversal", "POST", summary=_l("Reverse a ledger entry"), tag=TAG,
           body=ReversalIn, response=EntryOut, status=201, errors=(409,))
def reverse_grant_entry(entry_id: int):
    """Managers only. Adds a counter-entry with the reason; an entry is reversed at most once and a reversal is
    never reversed (409)."""
    require(can_manage_grants(current_user))
    entry = _entry(entry_id)
    body = parse_body(ReversalIn)
    reversal = perform(ledger_services.reverse_entry, current_user, entry, body.reason, body.reversed_on)
    return respond(_entry_out(reversal.id), 201, url_for("api_v1.get_grant_entry", entry_id=reversal.id))


@operation("/grant-entries/<id:entry_id>/receipt", "POST", summary=_l("Attach a receipt to a ledger entry"),
           tag=TAG, body=ReceiptUpload, multipart=True, files={"receipt": "application/octet-stream"},
           response=EntryOut, errors=(409, 413))
def upload_grant_receipt(entry_id: int):
    """Managers only. Send ``receipt`` as multipart/form-data: a PDF, PNG, JPEG or WebP of at most 8 MB
    (checked by content). An entry that already has a receipt keeps it (409)."""
    require(can_manage_grants(current_user))
    entry = _entry(entry_id)
    upload = request.files.get("receipt")
    if upload is None or not upload.filename:
        raise ServiceError.on("receipt", _("Attach the receipt as the form field \u201creceipt\u201d."))
    perform(ledger_services.attach_receipt, current_user, entry, upload.stream, upload.filename)
    return respond(_entry_out(entry_id))
