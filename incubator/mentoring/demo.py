"""Demo mentoring: the expertise taxonomy, mentor profiles (Phnom Penh, Seoul, Shanghai, Berlin, Paris),
the running cohort's needs, one matching run published, and the mentors' answers.

Sokha Chan's Kasekor Cold Chain (founder@example.com) ends up with an accepted match with Dara Pich
(mentor@example.com), so the booking demo has a matched pair; Anna Becker declines one startup, so the
manager sees a decline to re-run; Marc Dubois has not answered yet.
"""
from __future__ import annotations

import sqlalchemy as sa

from incubator.auth.models import User
from incubator.auth.passwords import hash_password, password_problems
from incubator.auth.services import create_user
from incubator.cohorts.models import Startup, StartupStatus, TeamMember
from incubator.demo.data import DEMO_PASSWORD
from incubator.extensions import db
from incubator.mentoring import demo_booking
from incubator.mentoring.models import Match, MatchStatus
from incubator.mentoring.services import match_answers
from incubator.mentoring.services import matching as matching_services
from incubator.mentoring.services import profiles as profile_services

TAXONOMY = {
    "Market": ("Export markets", "Go-to-market", "Pricing", "Digital marketing"),
    "Finance": ("Fundraising", "Financial modelling", "Grant writing", "Unit economics"),
    "Technology": ("Software architecture", "Mobile apps", "IoT and sensors", "AI and data"),
    "Operations": ("Supply chain", "Cold chain logistics", "Manufacturing scale-up", "Food safety and certification"),
    "People and legal": ("Hiring", "Company law and IP", "Leadership"),
}

# key of ACCOUNTS (or a new account: email, name, time zone) -> profile
MENTORS = {
    "mentor": dict(headline="Agribusiness operator; built a 30-truck cold chain in Battambang.",
                   languages=["km", "en"], sectors=["agritech", "food"], capacity=3,
                   tags=["Cold chain logistics", "Supply chain", "Export markets", "Go-to-market"]),
    "seoul": dict(headline="CTO of a Seoul health-tech scale-up; mobile and AI products.",
                  languages=["ko", "en"], sectors=["digital", "health", "education"], capacity=3,
                  tags=["Software architecture", "Mobile apps", "AI and data", "Fundraising"]),
    "shanghai": dict(headline="Factory operations and sourcing across the Pearl River Delta.",
                     languages=["zh", "en"], sectors=["manufacturing", "clean_energy", "food"], capacity=2,
                     tags=["Manufacturing scale-up", "Supply chain", "Pricing", "Export markets"]),
    "berlin": dict(headline="Impact investor; climate and health ventures in South-East Asia.",
                   languages=["en", "other"], other_languages="German", sectors=["clean_energy", "biotech", "health"],
                   capacity=3, tags=["Fundraising", "Financial modelling", "Grant writing", "IoT and sensors"]),
}
EXTRA_MENTORS = {
    ("mentor.paris@example.com", "Marc Dubois", "Europe/Paris"): dict(
        headline="Former export director of a French spice house.", languages=["fr", "en"],
        sectors=["food", "agritech"], capacity=2,
        tags=["Export markets", "Food safety and certification", "Pricing", "Company law and IP"]),
    ("mentor.pp@example.com", "Sreyneang Kong", "Asia/Phnom_Penh"): dict(
        headline="Growth lead at a Phnom Penh e-commerce company.", languages=["km", "en"],
        sectors=["digital", "education"], capacity=3,
        tags=["Digital marketing", "Go-to-market", "Hiring", "Leadership", "Unit economics"]),
}

# Running-cohort startups by name -> (must, nice, languages); others get needs from their sector.
NEEDS = {
    "Kasekor Cold Chain": (["Cold chain logistics", "Export markets"], ["Fundraising"], ["km", "en"]),
    "AngkorPay": (["Fundraising", "Software architecture"], ["Hiring"], ["en", "km"]),
    "Kampot Pepper Co.": (["Export markets", "Food safety and certification"], ["Pricing"], ["en", "fr"]),
    "Rean Khmer": (["Mobile apps"], ["Digital marketing", "Grant writing"], ["km", "en"]),
    "Mekong BioLab": (["Grant writing"], ["Company law and IP", "Fundraising"], ["en"]),
}
BY_SECTOR = {
    "agritech": (["Supply chain"], ["Go-to-market", "IoT and sensors"]),
    "digital": (["Go-to-market"], ["Software architecture", "Unit economics"]),
    "education": (["Digital marketing"], ["Grant writing"]),
    "food": (["Food safety and certification"], ["Export markets", "Pricing"]),
    "clean_energy": (["Financial modelling"], ["Manufacturing scale-up", "Grant writing"]),
    "manufacturing": (["Manufacturing scale-up"], ["Pricing", "Supply chain"]),
    "health": (["Fundraising"], ["AI and data", "Hiring"]),
    "biotech": (["Grant writing"], ["Fundraising"]),
    "other": (["Go-to-market"], ["Unit economics"]),
}
DECLINE_REASON = "I already mentor two climate startups this quarter and could not give this team enough time."


def _extra_mentor(email: str, name: str, zone: str) -> User:
    ok = not password_problems(DEMO_PASSWORD, email)
    user = create_user(email, name, "mentor", password=DEMO_PASSWORD if ok else None, timezone=zone)
    if not ok:
        user.password_hash = hash_password(DEMO_PASSWORD)  # the demo password is published in the README
    return user


def load_demo(context) -> None:
    """Build the mentoring demo on ``context`` (``incubator.demo.loader.DemoContext``); flushes only."""
    manager = context.people["manager"]
    tags = {}
    for category, names in TAXONOMY.items():
        for name in names:
            tags[name] = profile_services.save_tag(manager, None, {"name": name, "category": category})

    def profile(user: User, spec: dict) -> None:
        profile_services.save_profile(user, user, {
            "headline": spec["headline"], "bio": "", "languages": spec["languages"],
            "other_languages": spec.get("other_languages", ""), "sectors": spec["sectors"],
            "capacity": spec["capacity"], "tag_ids": [tags[name].id for name in spec["tags"]]})

    mentors = {key: context.people[key] for key in MENTORS}
    for key, spec in MENTORS.items():
        profile(mentors[key], spec)
    for (email, name, zone), spec in EXTRA_MENTORS.items():
        mentors[email] = _extra_mentor(email, name, zone)
        profile(mentors[email], spec)

    running = context.running
    startups = list(db.session.scalars(sa.select(Startup).where(
        Startup.cohort_id == running.id, Startup.status == StartupStatus.ACTIVE).order_by(Startup.id)))
    for startup in startups:
        must, nice, languages = NEEDS.get(startup.name, (*BY_SECTOR[startup.sector], ["km", "en"]))
        founder = db.session.scalar(sa.select(User).join(TeamMember, TeamMember.user_id == User.id)
                                    .where(TeamMember.startup_id == startup.id).limit(1)) or manager
        profile_services.save_needs(founder, startup, {
            "languages": languages, "notes": "",
            "tags": {tags[n].id: "must" for n in must} | {tags[n].id: "nice" for n in nice if n not in must}})
    pepper = next((s for s in startups if s.name == "Kampot Pepper Co."), None)
    if pepper is not None:
        profile_services.declare_conflict(mentors["shanghai"], mentors["shanghai"], pepper,
                                          "I import Kampot pepper for my family's shop.")

    matching_services.run_matching(manager, running)
    _give_founder_their_mentor(manager, context.people["founder"], mentors["mentor"], running.id)
    published = matching_services.publish(manager, running)
    declined = False
    for match in published:
        mentor = db.session.get(User, match.mentor_id)
        if mentor.email == "mentor.paris@example.com":
            continue  # still waiting for an answer
        if mentor.id == mentors["berlin"].id and not declined:
            match_answers.decline_match(mentor, match, DECLINE_REASON)
            declined = True
        else:
            match_answers.accept_match(mentor, match)
    demo_booking.load_demo(context)  # availability, office hours and sessions, once matches are accepted


def _give_founder_their_mentor(manager: User, founder: User, mentor: User, cohort_id: int) -> None:
    """Make sure the demo founder's startup is proposed the demo mentor (a manager's swap, as in real use)."""
    startup_id = db.session.scalar(sa.select(TeamMember.startup_id).join(Startup)
                                   .where(TeamMember.user_id == founder.id, Startup.cohort_id == cohort_id))
    proposals = list(db.session.scalars(sa.select(Match).where(
        Match.startup_id == startup_id, Match.status == MatchStatus.PROPOSED)))
    if startup_id is None or any(m.mentor_id == mentor.id for m in proposals):
        return
    if proposals:
        matching_services.swap_mentor(manager, proposals[0], mentor)
