"""Helpers shared by the report views: loading with access checks and serving a snapshot's files."""
from __future__ import annotations

from flask import Response, abort, make_response, send_file
from flask_login import current_user

from incubator.cohorts.models import Startup
from incubator.cohorts.queries import startup_with_team
from incubator.core.authz import require
from incubator.core.uploads import upload_path
from incubator.extensions import db
from incubator.reports.exports import csv_filename, pdf_filename, snapshot_csv
from incubator.reports.models import ReportSnapshot
from incubator.reports.permissions import can_edit_investor_profile

# Reports hold figures founders chose to show to some people: never kept by shared caches or indexed.
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store, max-age=0",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
}
# A share link's token is in its URL; the site-wide "Referrer-Policy: same-origin" already keeps it from the
# sites the report links to (a startup's website), so link pages need nothing more.
LINK_HEADERS = PRIVATE_HEADERS


def private(response, headers: dict = PRIVATE_HEADERS):
    response = response if isinstance(response, Response) else make_response(response)
    for name, value in headers.items():
        response.headers[name] = value
    return response


def load_profile_startup(startup_id: int) -> Startup:
    startup = db.first_or_404(startup_with_team(startup_id))
    require(can_edit_investor_profile(current_user, startup))
    return startup


def load_snapshot(snapshot_id: int) -> ReportSnapshot:
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        abort(404)
    return snapshot


def pdf_response(snapshot: ReportSnapshot, headers: dict = PRIVATE_HEADERS):
    try:
        path = upload_path(snapshot.pdf_path)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", download_name=pdf_filename(snapshot), as_attachment=True,
                         max_age=0, conditional=False, etag=False)
    return private(response, headers)


def csv_response(snapshot: ReportSnapshot, headers: dict = PRIVATE_HEADERS):
    response = Response(snapshot_csv(snapshot), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_filename(snapshot)}"'
    return private(response, headers)


def logo_response(snapshot: ReportSnapshot, headers: dict = PRIVATE_HEADERS):
    if not snapshot.logo_path:
        abort(404)
    try:
        path = upload_path(snapshot.logo_path)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    return private(send_file(path, mimetype="image/png", max_age=0), headers)
