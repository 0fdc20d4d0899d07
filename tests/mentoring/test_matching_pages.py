"""The managers' matching pages, the mentors' answers and the founders' mentors page, end to end on the web."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.extensions import db
from incubator.mentoring.models import Match, MatchStatus
from tests.factories import StartupFactory, founder_of
from tests.mentoring.factories import match, mentor


def _proposal(w, startup):
    return db.session.scalar(sa.select(Match).where(Match.startup_id == w.startups[startup].id,
                                                    Match.status == MatchStatus.PROPOSED))


def test_manager_runs_swaps_locks_and_publishes(client, login, matching_world):
    w = matching_world
    login(w.manager)
    url = f"/mentoring/cohorts/{w.cohort.id}"
    response = client.post(f"{url}/run", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "3 new proposals" in page and "Must-haves covered" in page and "Cold chain" in page
    biolab = _proposal(w, "biolab")
    spare = mentor(languages=("en",), capacity=1, name="Marc Dubois", timezone="Europe/Paris")
    db.session.commit()
    swap_page = client.get(f"/mentoring/matches/{biolab.id}/swap").get_data(as_text=True)
    assert "Marc Dubois" in swap_page and "Dara Pich" in swap_page  # Dara listed among those who cannot take it
    assert client.post(f"/mentoring/matches/{biolab.id}/swap", data={"mentor_id": spare.id}).status_code == 302
    db.session.expire_all()
    biolab = db.session.get(Match, biolab.id)
    assert (biolab.mentor_id, biolab.locked) == (spare.id, True)
    refused = client.post(f"/mentoring/matches/{biolab.id}/swap", data={"mentor_id": w.mentors["dara"].id})
    assert refused.status_code == 422  # Dara is not among the allowed choices (full)
    kasekor = _proposal(w, "kasekor")
    client.post(f"/mentoring/matches/{kasekor.id}/lock", data={"locked": "1"})
    client.post(f"{url}/run")  # a re-run keeps the locked and swapped pairs
    db.session.expire_all()
    assert db.session.get(Match, kasekor.id).locked and db.session.get(Match, biolab.id).mentor_id == spare.id
    published = client.post(f"{url}/publish", follow_redirects=True).get_data(as_text=True)
    assert "3 matches published" in published
    again = client.post(f"{url}/publish", follow_redirects=True).get_data(as_text=True)
    assert "no proposals to publish" in again


def test_remove_a_proposal_then_rerun(client, login, matching_world):
    w = matching_world
    login(w.manager)
    url = f"/mentoring/cohorts/{w.cohort.id}"
    client.post(f"{url}/run")
    kasekor = _proposal(w, "kasekor")
    assert client.post(f"/mentoring/matches/{kasekor.id}/remove").status_code == 302
    client.post(f"{url}/run")
    page = client.get(url).get_data(as_text=True)
    assert "Startups short of mentors" in page and "Kasekor Cold Chain" in page
    assert "declined it, were removed from it" in page


def test_mentor_accepts_and_declines(client, login, matching_world):
    w = matching_world
    dara = w.mentors["dara"]
    first = match(w.startups["kasekor"], dara, MatchStatus.PUBLISHED, explanation={"must_covered": ["Cold chain"]})
    second = match(w.startups["angkorpay"], dara, MatchStatus.PUBLISHED)
    hidden = match(w.startups["biolab"], dara, MatchStatus.PROPOSED)
    db.session.commit()
    login(dara)
    page = client.get("/mentoring/my-startups").get_data(as_text=True)
    assert "Kasekor Cold Chain" in page and "AngkorPay" in page and "Mekong BioLab" not in page
    assert client.get(f"/mentoring/startups/{w.startups['kasekor'].id}/needs").status_code == 200
    assert client.post(f"/mentoring/matches/{first.id}/accept").status_code == 302
    empty = client.post(f"/mentoring/matches/{second.id}/decline", data={"reason": ""})
    assert empty.status_code == 422 and "This field is required" in empty.get_data(as_text=True)
    assert client.post(f"/mentoring/matches/{second.id}/decline", data={"reason": "Too busy"}).status_code == 302
    late = client.post(f"/mentoring/matches/{first.id}/decline", data={"reason": "Oops"}, follow_redirects=True)
    assert "no longer waiting for an answer" in late.get_data(as_text=True)
    assert client.post(f"/mentoring/matches/{hidden.id}/accept").status_code == 403  # proposals are not theirs yet
    db.session.expire_all()
    assert [db.session.get(Match, m.id).status for m in (first, second, hidden)] == [
        MatchStatus.ACCEPTED, MatchStatus.DECLINED, MatchStatus.PROPOSED]


def test_founder_sees_published_mentors_only(client, login, matching_world):
    w = matching_world
    match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.ACCEPTED)
    match(w.startups["kasekor"], w.mentors["anna"], MatchStatus.PROPOSED)
    db.session.commit()
    login(w.founders["kasekor"])
    assert client.get("/mentoring/").headers["Location"].endswith(f"/startups/{w.startups['kasekor'].id}/mentors")
    page = client.get(f"/mentoring/startups/{w.startups['kasekor'].id}/mentors").get_data(as_text=True)
    assert "Dara Pich" in page and w.mentors["dara"].email in page and "Anna Becker" not in page
    assert "Cold chain" in page  # its needs


def test_proposals_page_queries_do_not_grow_with_the_cohort(client, login, count_queries, matching_world):
    w = matching_world
    login(w.manager)
    url = f"/mentoring/cohorts/{w.cohort.id}"
    client.post(f"{url}/run")
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for i in range(20):
        startup = StartupFactory(cohort=w.cohort, name=f"Extra {i}", sector="food")
        founder_of(startup)
        mentor(languages=("km", "en"), sectors=("food",), capacity=1)
    db.session.commit()
    client.post(f"{url}/run")
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count


def test_run_queries_are_bounded(client, login, count_queries, matching_world):
    w = matching_world
    login(w.manager)
    url = f"/mentoring/cohorts/{w.cohort.id}/run"
    with count_queries() as small:
        client.post(url)
    for i in range(20):
        founder_of(StartupFactory(cohort=w.cohort, name=f"Extra {i}", sector="food"))
        mentor(languages=("km", "en"), sectors=("food",), capacity=1)
    db.session.commit()
    with count_queries() as large:
        client.post(url)
    assert large.count <= small.count + 2, "\n".join(large.statements)  # inserts are batched by the ORM
