"""Startup endpoints: managers and mentors list and read every profile; founders read and edit their own."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from incubator.api.v1.errors import abort_json
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.schemas import StartupListQuery, StartupOut, StartupPage, StartupPatch
from incubator.api.v1.spec import operation
from incubator.cohorts import services
from incubator.cohorts.models import Startup
from incubator.cohorts.permissions import (
    can_change_startup_status,
    can_edit_startup,
    can_list_startups,
    can_view_startup,
)
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.core.uow import perform

_EAGER = (joinedload(Startup.cohort), selectinload(Startup.members))


def load_startup(startup_id: int) -> Startup:
    """The startup with its cohort and team, or a 404."""
    return first_or_404(
        startup_with_team(startup_id),
        _("There is no startup with id %(id)d.", id=startup_id),
    )


@operation("/startups", summary=_l("List startups"), tag="startups", query=StartupListQuery, response=StartupPage)
def list_startups():
    """Startups by name, optionally filtered by cohort, sector and status. Managers and mentors only."""
    require(can_list_startups(current_user))
    args = parse_query(StartupListQuery)
    query = sa.select(Startup).options(*_EAGER).order_by(Startup.name, Startup.id)
    if args.cohort_id is not None:
        query = query.where(Startup.cohort_id == args.cohort_id)
    if args.sector is not None:
        query = query.where(Startup.sector == args.sector)
    if args.status is not None:
        query = query.where(Startup.status == args.status)
    startups, envelope = paginate(query, args)
    return respond(StartupPage(items=[StartupOut.of(startup) for startup in startups], **envelope))


@operation("/startups/<id:startup_id>", summary=_l("Get a startup"), tag="startups", response=StartupOut)
def get_startup(startup_id: int):
    """One startup profile: managers and mentors see every startup, founders only their own."""
    startup = load_startup(startup_id)
    require(can_view_startup(current_user, startup))
    return respond(StartupOut.of(startup))


@operation("/startups/<id:startup_id>", "PATCH", summary=_l("Edit a startup"), tag="startups", body=StartupPatch,
           response=StartupOut, errors=(409,))
def update_startup(startup_id: int):
    """Change some profile fields (managers, or the startup's own founders); only managers may set ``status``.

    A name already used by another startup of the cohort is a 409.
    """
    startup = load_startup(startup_id)
    require(can_edit_startup(current_user, startup))
    changes = parse_body(StartupPatch).model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if status is not None and not can_change_startup_status(current_user):
        abort_json(403, _("Only the incubator's managers can change a startup's status."))
    perform(services.update_startup, current_user, startup, changes, status=status)
    return respond(StartupOut.of(load_startup(startup_id)))
