"""Loading helpers shared by the grant views (each checks access before any work) and error placement."""
from __future__ import annotations

from flask import flash
from flask_login import current_user

from incubator.cohorts.models import Startup
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.core.errors import ServiceError
from incubator.extensions import db
from incubator.grants.models import Grant, LedgerEntry
from incubator.grants.permissions import can_manage_grants, can_view_grant
from incubator.grants.queries import entry_query, grant_query

# A plan error ``tranches.<i>.<key>`` goes on this field of the tranche's row.
_ROW_FIELDS = {"label": "label", "amount": "amount", "unlock": "condition", "milestone_id": "condition",
               "due_on": "due_on"}


def load_startup(startup_id: int, manage: bool = False) -> Startup:
    """The startup with its cohort and team; 404 when missing, 403 unless the user may see (or manage) grants."""
    startup = db.first_or_404(startup_with_team(startup_id))
    require(can_manage_grants(current_user) if manage else can_view_grant(current_user, startup))
    return startup


def load_grant(grant_id: int, manage: bool = False) -> Grant:
    """The grant with its startup and tranches; 404 when missing, 403 unless the user may see (or manage) it."""
    grant = db.first_or_404(grant_query(grant_id))
    require(can_manage_grants(current_user) if manage else can_view_grant(current_user, grant.startup))
    return grant


def load_entry(entry_id: int, manage: bool = False) -> LedgerEntry:
    """A ledger entry with its grant, checked like ``load_grant``."""
    entry = db.first_or_404(entry_query(entry_id))
    require(can_manage_grants(current_user) if manage else can_view_grant(current_user, entry.grant.startup))
    return entry


def place_plan_errors(form, exc: ServiceError, rows: list[int]) -> None:
    """Put a plan refusal's messages beside their fields; ``rows[i]`` is the form row of the service's tranche i.

    Messages with no field of their own (such as "add at least one tranche") are flashed.
    """
    unplaced = []
    for key, messages in exc.fields.items():
        field = None
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "tranches" and parts[1].isdigit() and int(parts[1]) < len(rows):
            entry = form.tranches.entries[rows[int(parts[1])]]
            field = getattr(entry.form, _ROW_FIELDS.get(parts[2], ""), None)
        elif len(parts) == 1 and parts[0] != "tranches":
            field = getattr(form, parts[0], None)
        if field is None:
            unplaced.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)
    for message in unplaced or ([] if exc.fields else [exc.message]):
        flash(message, "danger")
