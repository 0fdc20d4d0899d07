"""Mentor profiles, the taxonomy, conflicts of interest and startups' needs: rules, pages and the directory."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.mentoring.models import ExpertiseTag, MatchStatus, MentorConflict, MentorProfile, StartupNeeds
from incubator.mentoring.services import profiles as services
from tests.factories import UserFactory
from tests.mentoring.factories import ExpertiseTagFactory, match, mentor

PROFILE = {"headline": "Former CFO", "bio": "I help with money.", "languages": ["km", "en"], "other_languages": "",
           "sectors": ["agritech"], "capacity": 2, "tag_ids": []}


def test_save_profile_creates_and_replaces(app):
    user = UserFactory(role=Role.MENTOR)
    first, second = ExpertiseTagFactory(), ExpertiseTagFactory()
    services.save_profile(user, user, PROFILE | {"tag_ids": [first.id]})
    profile = services.save_profile(user, user, PROFILE | {"languages": ["en", "other"], "other_languages": "German",
                                                           "sectors": [], "tag_ids": [second.id]})
    assert (profile.languages, profile.sectors, profile.other_languages) == (["en", "other"], [], "German")
    assert [t.id for t in profile.expertise] == [second.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorProfile)) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"languages": []}, "languages"), ({"languages": ["xx"]}, "languages"),
    ({"languages": ["other"]}, "other_languages"), ({"capacity": 21}, "capacity"), ({"capacity": -1}, "capacity"),
    ({"capacity": None}, "capacity"), ({"sectors": ["space"]}, "sectors"), ({"headline": "x" * 161}, "headline"),
    ({"tag_ids": [999999]}, "tag_ids"),
])
def test_save_profile_refuses_bad_input(app, change, field):
    user = UserFactory(role=Role.MENTOR)
    with pytest.raises(ServiceError) as caught:
        services.save_profile(user, user, PROFILE | change)
    assert field in caught.value.fields
    assert db.session.get(MentorProfile, user.id) is None


def test_archived_tags_stay_on_profiles_but_cannot_be_added(app):
    user = UserFactory(role=Role.MENTOR)
    kept, other = ExpertiseTagFactory(), ExpertiseTagFactory()
    services.save_profile(user, user, PROFILE | {"tag_ids": [kept.id]})
    kept.archived = other.archived = True
    services.save_profile(user, user, PROFILE | {"tag_ids": [kept.id]})
    with pytest.raises(ServiceError):
        services.save_profile(user, user, PROFILE | {"tag_ids": [kept.id, other.id]})


def test_only_mentors_have_profiles(app):
    founder = UserFactory(role=Role.FOUNDER)
    with pytest.raises(ServiceError):
        services.save_profile(founder, founder, PROFILE)


def test_tags_are_unique_whatever_the_case(app):
    manager = UserFactory(role=Role.MANAGER)
    tag = services.save_tag(manager, None, {"name": "  Export   markets ", "category": "Market"})
    assert tag.name == "Export markets"
    with pytest.raises(ConflictError):
        services.save_tag(manager, None, {"name": "export MARKETS"})
    with pytest.raises(ServiceError):
        services.save_tag(manager, None, {"name": "   "})
    services.save_tag(manager, tag, {"name": "Export Markets", "category": "Market"})  # renaming itself is fine
    services.set_tag_archived(manager, tag, True)
    assert tag not in services.active_tags()


def test_conflicts_cannot_repeat_or_hide_an_active_match(matching_world):
    w = matching_world
    dara = w.mentors["dara"]
    services.declare_conflict(dara, dara, w.startups["biolab"], "I invested in it")
    with pytest.raises(ConflictError):
        services.declare_conflict(dara, dara, w.startups["biolab"])
    match(w.startups["kasekor"], dara, MatchStatus.ACCEPTED)
    with pytest.raises(ConflictError) as matched:
        services.declare_conflict(dara, dara, w.startups["kasekor"])
    assert "Decline or end" in matched.value.message
    conflict = db.session.scalar(sa.select(MentorConflict))
    services.remove_conflict(dara, conflict)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentorConflict)) == 0


def test_needs_rules(matching_world):
    w = matching_world
    startup, founder = w.startups["biolab"], w.founders["biolab"]
    tag = w.tags["Export"]
    saved = services.save_needs(founder, startup, {"languages": ["en"], "tags": {tag.id: "must"}, "notes": "Help"})
    assert [(t.tag_id, t.priority.value) for t in saved.tags] == [(tag.id, "must")]
    for bad, field in (({"languages": []}, "languages"), ({"tags": {tag.id: "maybe"}}, "tags"),
                       ({"tags": {999999: "must"}}, "tags"), ({"notes": "x" * 2001}, "notes"),
                       ({"tags": {t.id: "nice" for t in ExpertiseTagFactory.create_batch(13)}}, "tags")):
        with pytest.raises(ServiceError) as caught:
            services.save_needs(founder, startup, {"languages": ["en"], "tags": {}} | bad)
        assert field in caught.value.fields


# Pages ---------------------------------------------------------------------------------------------------


def test_mentor_edits_own_profile_on_the_web(client, login, matching_world):
    w = matching_world
    dara = w.mentors["dara"]
    login(dara)
    assert client.get("/mentoring/profile").headers["Location"].endswith(f"/mentoring/mentors/{dara.id}/edit")
    page = client.get(f"/mentoring/mentors/{dara.id}/edit").get_data(as_text=True)
    assert 'value="Cold chain"' not in page and "Cold chain" in page
    form = {"headline": "Cold chains", "bio": "", "languages": ["km"], "sectors": ["food"], "capacity": "4",
            "tag_ids": [str(w.tags["Export"].id)]}
    response = client.post(f"/mentoring/mentors/{dara.id}/edit", data=form)
    assert response.status_code == 302
    profile = db.session.get(MentorProfile, dara.id)
    assert (profile.capacity, profile.languages, [t.name for t in profile.expertise]) == (4, ["km"], ["Export"])
    bad = client.post(f"/mentoring/mentors/{dara.id}/edit", data=form | {"languages": [], "capacity": "99"})
    assert bad.status_code == 422
    assert "Choose at least one language" in bad.get_data(as_text=True)


def test_mentor_declares_a_conflict_on_the_web(client, login, matching_world):
    w = matching_world
    dara = w.mentors["dara"]
    login(dara)
    response = client.post(f"/mentoring/mentors/{dara.id}/conflicts",
                           data={"startup_id": w.startups["biolab"].id, "reason": "Family"})
    assert response.status_code == 302
    conflict = db.session.scalar(sa.select(MentorConflict))
    assert (conflict.startup_id, conflict.reason) == (w.startups["biolab"].id, "Family")
    assert conflict.declared_by_id == dara.id
    page = client.get(f"/mentoring/mentors/{dara.id}").get_data(as_text=True)
    assert "Mekong BioLab" in page and "Family" in page
    # Another mentor sees the profile but not its conflicts.
    client.post("/auth/logout")
    login(w.mentors["anna"])
    other_view = client.get(f"/mentoring/mentors/{dara.id}").get_data(as_text=True)
    assert "Family" not in other_view and "Conflicts of interest" not in other_view


def test_founder_saves_needs_on_the_web(client, login, matching_world):
    w = matching_world
    startup = w.startups["biolab"]
    login(w.founders["biolab"])
    assert client.get(f"/mentoring/startups/{startup.id}/needs/edit").status_code == 200
    data = {"languages": ["en", "fr"], "notes": "Grant applications", f"tag_{w.tags['Export'].id}": "must",
            f"tag_{w.tags['Fundraising'].id}": "nice"}
    assert client.post(f"/mentoring/startups/{startup.id}/needs/edit", data=data).status_code == 302
    needs = db.session.get(StartupNeeds, startup.id)
    assert needs.languages == ["en", "fr"] and needs.notes == "Grant applications"
    assert {t.tag.name: t.priority.value for t in needs.tags} == {"Export": "must", "Fundraising": "nice"}
    refused = client.post(f"/mentoring/startups/{startup.id}/needs/edit", data=data | {"languages": []})
    assert refused.status_code == 422


def test_taxonomy_page(client, login, matching_world):
    login(matching_world.manager)
    assert client.post("/mentoring/tags", data={"name": "Legal", "category": "People"}).status_code == 302
    assert client.post("/mentoring/tags", data={"name": "legal"}).status_code == 422
    tag = db.session.scalar(sa.select(ExpertiseTag).where(ExpertiseTag.name == "Legal"))
    assert client.post(f"/mentoring/tags/{tag.id}/archive", data={"archived": "1"}).status_code == 302
    db.session.refresh(tag)
    assert tag.archived
    page = client.get("/mentoring/tags").get_data(as_text=True)
    assert "Legal" in page and "archived" in page


def test_directory_filters(client, login, matching_world):
    w = matching_world
    login(w.founders["kasekor"])

    def names(query):
        html = client.get(f"/mentoring/mentors?{query}").get_data(as_text=True)
        return {name for name in ("Dara Pich", "Park Ji-woo", "Anna Becker") if name in html}
    assert names("") == {"Dara Pich", "Park Ji-woo", "Anna Becker"}
    assert names("language=km") == {"Dara Pich"}
    assert names("sector=digital") == {"Park Ji-woo"}
    assert names(f"tag={w.tags['Fundraising'].id}") == {"Anna Becker"}
    assert names("q=mobile") == {"Park Ji-woo"}
    match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.ACCEPTED)
    db.session.commit()
    assert names("available=1") == {"Park Ji-woo", "Anna Becker"}
    assert client.get("/mentoring/mentors?tag=abc&language=xx&sector=%00").status_code == 200


def test_directory_queries_do_not_grow_with_mentors(client, login, count_queries, matching_world):
    login(matching_world.manager)
    client.get("/mentoring/mentors")
    with count_queries() as small:
        assert client.get("/mentoring/mentors").status_code == 200
    tags = ExpertiseTagFactory.create_batch(3)
    for _ in range(15):
        mentor(languages=("en", "km"), sectors=("food", "health"), tags=tags)
    db.session.commit()
    with count_queries() as large:
        assert client.get("/mentoring/mentors").status_code == 200
    assert large.count == small.count
