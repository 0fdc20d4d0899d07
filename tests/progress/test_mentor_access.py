"""A mentor reads the progress of the startups they mentor (accepted match), and changes nothing."""
from __future__ import annotations

import pytest

from incubator.auth.models import Role
from incubator.mentoring.models import MatchStatus
from incubator.progress.permissions import can_report_progress, can_view_progress
from incubator.progress.services.milestones import create_milestone
from tests.factories import UserFactory
from tests.mentoring.factories import match


@pytest.fixture
def mentor():
    return UserFactory(role=Role.MENTOR, name="Anna Becker")


@pytest.mark.parametrize("status, may_read", [
    (MatchStatus.ACCEPTED, True),
    (MatchStatus.PUBLISHED, False),  # not yet accepted
    (MatchStatus.PROPOSED, False),
    (MatchStatus.DECLINED, False),
    (MatchStatus.ENDED, False),
])
def test_only_an_accepted_match_opens_progress_to_the_mentor(mentor, startup, status, may_read):
    match(startup, mentor, status)
    assert can_view_progress(mentor, startup) is may_read
    assert can_report_progress(mentor, startup) is False


def test_the_matched_mentor_reads_pages_but_cannot_report(client, login, mentor, founder, startup, cohort):
    from tests.factories import StartupFactory

    match(startup, mentor, MatchStatus.ACCEPTED)
    milestone = create_milestone(founder, startup, {"title": "First paying cooperative", "description": "",
                                                    "due_on": cohort.ends_on})
    other = StartupFactory(cohort=cohort)
    login(mentor)
    page = client.get(f"/progress/startups/{startup.id}")
    assert page.status_code == 200 and "First paying cooperative" in page.get_data(as_text=True)
    assert f"/progress/startups/{startup.id}/checkin" not in page.get_data(as_text=True)  # no reporting buttons
    assert client.get(f"/progress/milestones/{milestone.id}").status_code == 200
    assert client.get(f"/progress/startups/{other.id}").status_code == 403  # not their startup
    assert client.get(f"/progress/startups/{startup.id}/checkin").status_code == 403
    assert client.post(f"/progress/startups/{startup.id}/milestones/new", data={"title": "x"}).status_code == 403
