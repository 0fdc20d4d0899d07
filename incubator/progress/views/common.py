"""Loading helpers shared by the progress views (each checks access before any work)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_login import current_user

from incubator.cohorts.models import Startup
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.extensions import db
from incubator.progress.permissions import can_report_progress, can_view_progress


def load_startup(startup_id: int, write: bool = False) -> Startup:
    """The startup with its cohort and team; 404 when missing, 403 unless the user may view (or report)."""
    startup = db.first_or_404(startup_with_team(startup_id))
    require(can_report_progress(current_user, startup) if write else can_view_progress(current_user, startup))
    return startup


def load_owned(model, object_id: int, write: bool = False):
    """A milestone, report or check-in, checked against its startup like ``load_startup``."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    load_startup(obj.startup_id, write=write)
    return obj


@dataclass
class ListPage:
    """One page of an in-memory list, shaped like Flask-SQLAlchemy's pagination for the ``pager`` macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_list(items: list, per_page: int) -> ListPage:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-len(items) // per_page))
    page = min(page, pages)
    return ListPage(items[(page - 1) * per_page: page * per_page], page, per_page, len(items))
