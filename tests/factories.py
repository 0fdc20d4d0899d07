"""factory_boy factories bound to the app's session (flushed, never committed)."""
from __future__ import annotations

from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from incubator.applications.models import Application, ApplicationFounder, ReviewAssignment, RubricCriterion
from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus, Program, Startup, TeamMember
from incubator.extensions import db

DEFAULT_PASSWORD = "correct-horse-battery"
_HASH = generate_password_hash(DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Faker("name")
    role = Role.FOUNDER
    password_hash = _HASH
    timezone = "Asia/Phnom_Penh"


class ProgramFactory(Base):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")


class CohortFactory(Base):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    track = "Deep tech"
    starts_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: date.today() + timedelta(days=200))
    capacity = 10
    status = CohortStatus.OPEN
    sectors = factory.LazyFunction(lambda: ["agritech", "digital"])


class StartupFactory(Base):
    class Meta:
        model = Startup

    cohort = factory.SubFactory(CohortFactory, status=CohortStatus.RUNNING)
    name = factory.Sequence(lambda n: f"Startup {n}")
    sector = "agritech"
    stage = "prototype"
    province = "phnom_penh"
    description = "Cold storage for smallholder farmers."


class TeamMemberFactory(Base):
    class Meta:
        model = TeamMember

    startup = factory.SubFactory(StartupFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    role_title = "CEO"
    is_founder = True


class RubricCriterionFactory(Base):
    class Meta:
        model = RubricCriterion

    cohort = factory.SubFactory(CohortFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    position = factory.Sequence(lambda n: n)


class ApplicationFactory(Base):
    class Meta:
        model = Application

    cohort = factory.SubFactory(CohortFactory)
    startup_name = factory.Sequence(lambda n: f"Applicant {n}")
    contact_email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    sector = "digital"
    stage = "idea"
    province = "siem_reap"
    problem = "Farmers lose a third of their harvest."
    solution = "Solar cold rooms rented by the day."

    @factory.post_generation
    def founders(obj, create, extracted, **kwargs):
        people = extracted or [{"name": "Sokha Chan", "email": obj.contact_email, "gender": "female"}]
        for i, person in enumerate(people):
            db.session.add(ApplicationFounder(application=obj, position=i, **person))
        db.session.flush()


class ReviewAssignmentFactory(Base):
    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, role=Role.MENTOR)


def founder_of(startup: Startup, **kwargs) -> User:
    """A founder account that is a member of ``startup``."""
    user = UserFactory(role=Role.FOUNDER, **kwargs)
    TeamMemberFactory(startup=startup, user=user, email=user.email, name=user.name)
    return user
