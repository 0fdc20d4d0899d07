"""Scheduled work for notifications (see ``incubator/jobs/registry.py``)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from incubator.notifications.email import claim_due

EARLY = timedelta(seconds=5)


def deliver_due_email(run) -> str:
    """Claim the outbox messages that are due (first tries and retries); the runner sends them after commit.

    :param run: the job's ``RunContext``.
    :return: a short summary for the jobs page.
    """
    if not current_app.config.get("MAIL_SERVER"):
        return "no MAIL_SERVER: email stays in the outbox"
    # The job fires on the minute while retry times fall a few milliseconds past it (the time of the failure
    # plus the delay): take what falls due in the next few seconds now rather than a minute late.
    ids = claim_due(now=run.started_at + EARLY)
    return f"{len(ids)} due" if ids else "nothing due"
