"""Creating a grant and changing its tranche plan (only until the first disbursement).

A plan is a total in USD or KHR split into tranches whose amounts add up to exactly the total; each
tranche unlocks when a milestone of the startup is verified or on a date. Amounts arrive in major
units as people type them (``"10000"``, ``"2,500.50"``) and are kept as integer minor units.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Startup, StartupStatus
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES, format_money
from incubator.db import is_unique_violation
from incubator.extensions import db
from incubator.grants.models import Grant, Tranche, Unlock
from incubator.grants.services import amount_to_minor, lock_grant, to_major
from incubator.progress.models import Milestone, MilestoneStatus

MAX_TRANCHES = 12


def _clean_tranche(index: int, row: dict, milestones: dict[int, Milestone], currency: str,
                   errors: dict[str, list[str]]) -> dict:
    prefix = f"tranches.{index}."
    label = (row.get("label") or "").strip()
    if len(label) > 120:
        errors[prefix + "label"] = [_("Keep the name under 120 characters.")]
    amount = None
    try:
        amount = amount_to_minor(row.get("amount"), currency, prefix + "amount")
    except ServiceError as exc:
        errors.update(exc.fields)
    unlock = row.get("unlock")
    clean = {"label": label, "amount_minor": amount, "unlock": None, "milestone_id": None, "due_on": None}
    if unlock in (Unlock.MILESTONE, Unlock.DATE):
        clean["unlock"] = Unlock(unlock)
    if unlock == Unlock.MILESTONE:
        milestone = milestones.get(row.get("milestone_id"))
        if milestone is None:
            errors[prefix + "milestone_id"] = [_("Choose one of this startup's milestones.")]
        elif milestone.status == MilestoneStatus.DROPPED:
            errors[prefix + "milestone_id"] = [_("“%(title)s” was dropped, so it can never unlock a tranche.",
                                                 title=milestone.title)]
        else:
            clean["milestone_id"] = milestone.id
    elif unlock == Unlock.DATE:
        due = row.get("due_on")
        if not isinstance(due, date):
            errors[prefix + "due_on"] = [_("Give the date from which this tranche can be paid.")]
        elif not 2000 <= due.year <= 2100:
            errors[prefix + "due_on"] = [_("Give a date between 2000 and 2100.")]
        else:
            clean["due_on"] = due
    else:
        errors[prefix + "unlock"] = [_("Choose what unlocks this tranche: a milestone or a date.")]
    return clean


def _clean_plan(startup: Startup, data: dict) -> dict:
    """Check a whole plan and raise once with every problem, keyed by field (``tranches.<i>.<field>``)."""
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Give the grant a name, for example “Seed grant 2026”.")]
    elif len(title) > 120:
        errors["title"] = [_("Keep the name under 120 characters.")]
    conditions = (data.get("conditions") or "").strip()
    if len(conditions) > 5000:
        errors["conditions"] = [_("Keep the conditions under 5,000 characters.")]
    currency = data.get("currency")
    if currency not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose USD or KHR."))
    total = None
    try:
        total = amount_to_minor(data.get("total"), currency, "total")
    except ServiceError as exc:
        errors.update(exc.fields)
    rows = list(data.get("tranches") or [])
    if not rows:
        errors["tranches"] = [_("Add at least one tranche.")]
    elif len(rows) > MAX_TRANCHES:
        errors["tranches"] = [_("A grant has at most %(n)d tranches.", n=MAX_TRANCHES)]
    milestones = {m.id: m for m in db.session.scalars(sa.select(Milestone).where(Milestone.startup_id == startup.id))}
    tranches = [_clean_tranche(i, row, milestones, currency, errors) for i, row in enumerate(rows[:MAX_TRANCHES])]
    amounts = [t["amount_minor"] for t in tranches]
    if total is not None and tranches and None not in amounts and sum(amounts) != total:
        errors["total"] = [_("The tranches add up to %(sum)s, but the total is %(total)s.",
                             sum=format_money(sum(amounts), currency), total=format_money(total, currency))]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    return {"title": title, "conditions": conditions, "currency": currency, "total_minor": total,
            "tranches": tranches}


def _summary(grant: Grant) -> str:
    """The plan in one line for the audit log: ``USD 10000.00: 3000.00 from 2026-01-10 + 7000.00 on “MVP live”``."""
    def condition(t: Tranche) -> str:
        if t.unlock == Unlock.DATE:
            return f"from {t.due_on.isoformat()}"
        milestone = db.session.get(Milestone, t.milestone_id) if t.milestone_id else None
        return f"on “{milestone.title}”" if milestone else "on a removed milestone"

    parts = [f"{to_major(t.amount_minor, grant.currency)} {condition(t)}" for t in grant.tranches]
    return f"{grant.currency} {to_major(grant.total_minor, grant.currency)}: " + " + ".join(parts)


def create_grant(actor: User, startup: Startup, data: dict) -> Grant:
    """Give a startup its grant with a tranche plan.

    :param data: ``title``, ``conditions``, ``currency`` (USD or KHR), ``total`` (major units) and
        ``tranches``: a list of ``{"label", "amount" (major units), "unlock" ("milestone" or "date"),
        "milestone_id", "due_on"}`` in payment order; the amounts must add up to the total.
    :return: the new grant (flushed).
    :raises ServiceError: a field is missing or wrong (every problem at once).
    :raises ConflictError: the startup already has a grant, or has withdrawn.
    """
    if startup.status == StartupStatus.WITHDRAWN:
        raise ConflictError(_("%(name)s has withdrawn from the programme; it cannot get a new grant.",
                              name=startup.name))
    taken = ConflictError(_("%(name)s already has a grant. Open it to change its plan.", name=startup.name))
    if db.session.scalar(sa.select(Grant.id).where(Grant.startup_id == startup.id)) is not None:
        raise taken
    clean = _clean_plan(startup, data)
    grant = Grant(startup_id=startup.id, created_by_id=actor.id, title=clean["title"], conditions=clean["conditions"],
                  currency=clean["currency"], total_minor=clean["total_minor"], disbursed_minor=0, entry_count=0)
    try:
        with db.session.begin_nested():
            db.session.add(grant)
    except sa.exc.IntegrityError as exc:
        if is_unique_violation(exc):
            raise taken from exc
        raise
    grant.tranches = [Tranche(position=i, disbursed_minor=0, **row) for i, row in enumerate(clean["tranches"], 1)]
    db.session.flush()
    record(actor, "grant.created", grant, label=startup.name, title=grant.title, plan=_summary(grant))
    return grant


def update_grant(actor: User, grant: Grant, data: dict) -> Grant:
    """Replace a grant's name, conditions, currency, total and tranches, as long as nothing was disbursed.

    Tranches keep their identity by position; a tranche whose condition changes will be announced again
    when it becomes payable. Extra tranches at the end are removed (none has a ledger entry yet).

    :param data: as for ``create_grant``.
    :raises ConflictError: money has already been disbursed (the plan is then the agreement).
    """
    grant = lock_grant(grant.id)
    if grant.plan_locked:
        raise ConflictError(_("Money has already been disbursed on this grant, so its plan can no longer change. "
                              "Correct a payment by reversing it."))
    clean = _clean_plan(grant.startup, data)
    before = _summary(grant)
    grant.title, grant.conditions = clean["title"], clean["conditions"]
    grant.currency, grant.total_minor = clean["currency"], clean["total_minor"]
    count = len(clean["tranches"])
    extras, plan = grant.tranches[count:], []
    for position, row in enumerate(clean["tranches"], 1):
        if position <= len(grant.tranches):
            tranche = grant.tranches[position - 1]
            if (tranche.unlock, tranche.milestone_id, tranche.due_on) != (row["unlock"], row["milestone_id"],
                                                                           row["due_on"]):
                tranche.payable_notified_at = None  # a new condition is announced again when it is met
            for key, value in row.items():
                setattr(tranche, key, value)
        else:
            tranche = Tranche(position=position, disbursed_minor=0, **row)
        plan.append(tranche)
    for tranche in extras:
        db.session.delete(tranche)
    grant.tranches = plan
    db.session.flush()
    after = _summary(grant)
    record(actor, "grant.updated", grant, label=grant.startup.name, title=grant.title,
           plan=[before, after] if before != after else None)
    return grant
