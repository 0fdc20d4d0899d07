"""Cohort endpoints: managers list, read, create, edit and move cohorts through their statuses."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.schemas import (
    CohortCreate,
    CohortListQuery,
    CohortOut,
    CohortPage,
    CohortPatch,
    CohortStatusChange,
)
from incubator.api.v1.spec import operation
from incubator.cohorts import services
from incubator.cohorts.models import Cohort
from incubator.cohorts.permissions import can_manage_cohorts
from incubator.core.authz import require
from incubator.core.uow import perform


def load_cohort(cohort_id: int) -> Cohort:
    """The cohort with its program, or a 404."""
    return first_or_404(
        sa.select(Cohort).where(Cohort.id == cohort_id).options(joinedload(Cohort.program)),
        _("There is no cohort with id %(id)d.", id=cohort_id),
    )


@operation("/cohorts", summary=_l("List cohorts"), tag="cohorts", query=CohortListQuery, response=CohortPage)
def list_cohorts():
    """Every cohort, latest start date first, optionally filtered by status. Managers only."""
    require(can_manage_cohorts(current_user))
    args = parse_query(CohortListQuery)
    query = sa.select(Cohort).options(joinedload(Cohort.program)).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    if args.status is not None:
        query = query.where(Cohort.status == args.status)
    cohorts, envelope = paginate(query, args)
    return respond(CohortPage(items=[CohortOut.of(cohort) for cohort in cohorts], **envelope))


@operation("/cohorts/<id:cohort_id>", summary=_l("Get a cohort"), tag="cohorts", response=CohortOut)
def get_cohort(cohort_id: int):
    """One cohort. Managers only."""
    require(can_manage_cohorts(current_user))
    return respond(CohortOut.of(load_cohort(cohort_id)))


@operation("/cohorts", "POST", summary=_l("Create a cohort"), tag="cohorts", body=CohortCreate, response=CohortOut,
           status=201)
def create_cohort():
    """Create a cohort in planning under a program (the program is created if new). Managers only."""
    require(can_manage_cohorts(current_user))
    body = parse_body(CohortCreate)
    cohort = perform(services.create_cohort, current_user, body.program_name, body.model_dump(exclude={"program_name"}))
    return respond(CohortOut.of(load_cohort(cohort.id)), 201, url_for("api_v1.get_cohort", cohort_id=cohort.id))


@operation("/cohorts/<id:cohort_id>", "PATCH", summary=_l("Edit a cohort"), tag="cohorts", body=CohortPatch,
           response=CohortOut)
def update_cohort(cohort_id: int):
    """Change some of a cohort's fields; the fields left out keep their values. Managers only.

    Capacity cannot go below the number of startups already accepted.
    """
    require(can_manage_cohorts(current_user))
    cohort = load_cohort(cohort_id)
    changes = parse_body(CohortPatch).model_dump(exclude_unset=True)
    data = {key: getattr(cohort, key) for key in services.COHORT_FIELDS} | changes
    perform(services.update_cohort, current_user, cohort, data)
    return respond(CohortOut.of(load_cohort(cohort_id)))


@operation("/cohorts/<id:cohort_id>/status", "POST", summary=_l("Change a cohort's status"), tag="cohorts",
           body=CohortStatusChange, response=CohortOut, errors=(409,))
def change_cohort_status(cohort_id: int):
    """Move a cohort along planning → open → running → completed (open may go back to planning).

    Managers only; a transition that is not allowed is a 409.
    """
    require(can_manage_cohorts(current_user))
    cohort = load_cohort(cohort_id)
    perform(services.change_cohort_status, current_user, cohort, parse_body(CohortStatusChange).status)
    return respond(CohortOut.of(load_cohort(cohort_id)))
