"""Share links: ``/reports/s/<token>``. No sign-in: the signed token is the authorization.

Each opening is counted against the link. An invalid, expired or revoked link (or a one-pager whose
founders have since withdrawn consent) gets a page saying so, never the report. Responses are private
(no shared caches) and not indexed; the site-wide same-origin referrer policy keeps the token in the URL from
other sites. The report itself is a
stored file or stored data, so serving a link costs a few queries and no rendering of a PDF.
"""
from __future__ import annotations

import os

from flask import current_app, render_template, url_for

from incubator.extensions import db, limiter
from incubator.reports import services
from incubator.reports.render import render_body
from incubator.reports.views import bp
from incubator.reports.views.common import LINK_HEADERS, csv_response, logo_response, pdf_response, private

PROBLEM_STATUS = {"invalid": 404, "expired": 410, "revoked": 410, "withheld": 410}


def _link_limit() -> str:
    """Per client address; generous, since a page view also fetches the logo and often the PDF."""
    return (current_app.config.get("REPORT_LINK_RATE_LIMIT") or os.environ.get("REPORT_LINK_RATE_LIMIT")
            or "120 per minute")


def _open(token: str, fmt: str | None):
    """The active share, with the view counted (``fmt`` None: not a view, e.g. the logo); or the problem page."""
    try:
        share = services.resolve_link(token)
    except services.LinkProblem as problem:
        page = render_template("reports/link_problem.html", reason=problem.reason, share=problem.share)
        return None, private((page, PROBLEM_STATUS[problem.reason]), LINK_HEADERS)
    if fmt is not None:
        services.record_view(share.snapshot, fmt, share=share)
        db.session.commit()
    return share, None


@bp.get("/s/<token>")
@limiter.limit(_link_limit)
def shared_link(token: str):
    share, problem = _open(token, "page")
    if problem is not None:
        return problem
    snapshot = share.snapshot
    logo_url = url_for("reports.shared_link_logo", token=token) if snapshot.logo_path else None
    body = render_body(snapshot.kind, snapshot.data, snapshot.locale, logo_url)
    return private(render_template("reports/shared_link.html", snapshot=snapshot, share=share, token=token,
                                   body=body), LINK_HEADERS)


@bp.get("/s/<token>/pdf")
@limiter.limit(_link_limit)
def shared_link_pdf(token: str):
    share, problem = _open(token, "pdf")
    return problem if problem is not None else pdf_response(share.snapshot, LINK_HEADERS)


@bp.get("/s/<token>/csv")
@limiter.limit(_link_limit)
def shared_link_csv(token: str):
    share, problem = _open(token, "csv")
    return problem if problem is not None else csv_response(share.snapshot, LINK_HEADERS)


@bp.get("/s/<token>/logo")
@limiter.limit(_link_limit)
def shared_link_logo(token: str):
    share, problem = _open(token, None)
    return problem if problem is not None else logo_response(share.snapshot, LINK_HEADERS)
