"""Private calendar feeds: create or revoke your feed URL; the feed itself (no sign-in: the URL is the key)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.core.authz import require
from incubator.core.forms import BaseForm
from incubator.core.uow import commit, perform
from incubator.extensions import db
from incubator.mentoring import calendar
from incubator.mentoring.booking_permissions import can_have_calendar_feed
from incubator.mentoring.services import calendar_feeds as services
from incubator.mentoring.views.booking_blueprint import bp
from incubator.progress.reminders import founders_of


def feed_panel(user) -> dict | None:
    """What the sessions page shows about the user's feed (``None`` for roles without one)."""
    if not can_have_calendar_feed(user):
        return None
    feed = services.feed_of(user)
    return {"feed": feed, "url": services.feed_url(feed), "form": BaseForm(formdata=None)}


def _back():
    return redirect(url_for("mentor_booking.list_sessions") + "#calendar-feed")


@bp.post("/calendar-feed")
@login_required
def create_feed():
    require(can_have_calendar_feed(current_user))
    form = BaseForm()
    if form.validate_on_submit():
        perform(services.create_feed, current_user)
        flash(_("Your calendar feed address is ready. Copy it into your calendar app; keep it private."), "success")
    return _back()


@bp.post("/calendar-feed/revoke")
@login_required
def revoke_feed():
    require(can_have_calendar_feed(current_user))
    form = BaseForm()
    if form.validate_on_submit():
        if perform(services.revoke_feed, current_user):
            flash(_("The calendar feed address no longer works. Calendar apps subscribed to it stop updating."),
                  "success")
    return _back()


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    owner = services.feed_owner(token)
    if owner is None:
        db.session.rollback()
        abort(404)
    bookings = services.feed_bookings(owner)
    body = calendar.feed_ics(owner, bookings, founders_of({b.startup_id for b in bookings}))
    commit()  # the "last fetched" stamp, when it moved
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300",
                                                             "X-Robots-Tag": "noindex"})
