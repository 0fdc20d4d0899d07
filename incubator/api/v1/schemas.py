"""Pydantic models for API requests and responses; they are also the OpenAPI document's schemas.

Input models forbid unknown fields and strip whitespace; their limits mirror the web forms and
the database columns, so bad input is a 422 and never a database error. Output models are built
explicitly from ORM objects with ``of(...)``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Generic, Literal, TypeVar
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from incubator.applications.forms import MAX_FOUNDERS
from incubator.applications.models import Application, ApplicationStatus
from incubator.cohorts.choices import GENDERS, PROVINCES, SECTORS, STAGES
from incubator.cohorts.models import Cohort, CohortStatus, Startup, StartupStatus
from incubator.core.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE

MAX_ID = 2**31 - 1


def _no_default(schema: dict) -> None:
    # A PATCH field may be omitted but not set to null; its Python default is only a marker.
    schema.pop("default", None)


def optional(**kwargs):
    """A PATCH field: leave it out to keep the current value."""
    return Field(default=None, json_schema_extra=_no_default, **kwargs)


def _check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(_("Enter a valid email address.")) from exc


def _check_website(value: str) -> str:
    if value:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
        except ValueError:
            parts, host = None, ""
        if parts is None or parts.scheme not in ("http", "https") or "." not in host:
            raise ValueError(_("Enter a full web address starting with https://."))
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(timezone.utc)
    except OverflowError as exc:
        raise ValueError(_("Enter a date and time between the years 1 and 9999.")) from exc


Sector = Literal[tuple(SECTORS)]
Stage = Literal[tuple(STAGES)]
Province = Literal[tuple(PROVINCES)]
Gender = Literal[tuple(GENDERS)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
ShortText = Annotated[str, Field(max_length=120)]
LongText = Annotated[str, Field(max_length=5000)]
Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_check_email)]
Website = Annotated[str, Field(max_length=255), AfterValidator(_check_website)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


class Input(BaseModel):
    """A request body: unknown fields are refused and text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    """A response body."""


# Errors and pagination ------------------------------------------------------------------------


class ErrorDetail(Output):
    code: str = Field(description="A stable machine-readable code such as not_found or conflict.")
    message: str = Field(description="A human-readable message in the caller's language.")
    fields: dict[str, list[str]] = Field(description="Messages per input field (dotted paths); may be empty.")


class ErrorResponse(Output):
    error: ErrorDetail


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number.")
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE, description="Items per page (at most 100).")


T = TypeVar("T")


class Page(Output, Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    next_page: int | None = Field(description="The next page number, or null on the last page.")


# Cohorts --------------------------------------------------------------------------------------


class CohortListQuery(PageQuery):
    status: CohortStatus | None = None


class CohortCreate(Input):
    program_name: Name = Field(description="Created if no program has this name yet.")
    name: Name
    track: ShortText = ""
    description: LongText = ""
    starts_on: date
    ends_on: date
    applications_close_at: UtcDatetime | None = None
    capacity: int = Field(ge=1, le=1000)
    sectors: list[Sector] = Field(min_length=1)


class CohortPatch(Input):
    name: Name = optional()
    track: ShortText = optional()
    description: LongText = optional()
    starts_on: date = optional()
    ends_on: date = optional()
    applications_close_at: UtcDatetime | None = optional()
    capacity: int = optional(ge=1, le=1000)
    sectors: list[Sector] = optional(min_length=1)


class CohortStatusChange(Input):
    status: CohortStatus


class CohortOut(Output):
    id: int
    program_id: int
    program_name: str
    name: str
    track: str
    description: str
    starts_on: date
    ends_on: date
    applications_close_at: datetime | None
    capacity: int
    status: CohortStatus
    status_label: str
    sectors: list[str]
    accepts_applications: bool

    @classmethod
    def of(cls, cohort: Cohort) -> CohortOut:
        """Serialize a cohort (its program must be loaded or loadable)."""
        return cls(
            id=cohort.id, program_id=cohort.program_id, program_name=cohort.program.name, name=cohort.name,
            track=cohort.track, description=cohort.description, starts_on=cohort.starts_on, ends_on=cohort.ends_on,
            applications_close_at=cohort.applications_close_at, capacity=cohort.capacity, status=cohort.status,
            status_label=cohort.status_label, sectors=list(cohort.sectors or []),
            accepts_applications=cohort.accepts_applications(),
        )


class CohortPage(Page[CohortOut]):
    pass


# Startups -------------------------------------------------------------------------------------


class StartupListQuery(PageQuery):
    cohort_id: Id | None = None
    sector: Sector | None = None
    status: StartupStatus | None = None


class StartupPatch(Input):
    name: Name = optional()
    sector: Sector = optional()
    stage: Stage = optional()
    province: Province = optional()
    description: LongText = optional()
    website: Website = optional()
    founded_on: date | None = optional()
    currency: Literal["USD", "KHR"] = optional(description="The currency of its monthly KPI reports.")
    status: StartupStatus = optional(description="Managers only.")


class TeamMemberOut(Output):
    id: int
    name: str
    role_title: str
    is_founder: bool
    has_account: bool


class StartupOut(Output):
    id: int
    cohort_id: int
    cohort_name: str
    application_id: int | None
    name: str
    sector: str
    stage: str
    province: str
    description: str
    website: str
    founded_on: date | None
    currency: str
    status: StartupStatus
    status_label: str
    has_logo: bool
    members: list[TeamMemberOut]

    @classmethod
    def of(cls, startup: Startup) -> StartupOut:
        """Serialize a startup with its cohort's name and its team (no emails)."""
        return cls(
            id=startup.id, cohort_id=startup.cohort_id, cohort_name=startup.cohort.name,
            application_id=startup.application_id, name=startup.name, sector=startup.sector, stage=startup.stage,
            province=startup.province, description=startup.description, website=startup.website,
            founded_on=startup.founded_on, currency=startup.currency, status=startup.status,
            status_label=startup.status_label,
            has_logo=bool(startup.logo_path),
            members=[
                TeamMemberOut(id=m.id, name=m.name, role_title=m.role_title, is_founder=m.is_founder,
                              has_account=m.user_id is not None)
                for m in startup.members
            ],
        )


class StartupPage(Page[StartupOut]):
    pass


# Applications: requests -----------------------------------------------------------------------


class ApplicationListQuery(PageQuery):
    status: ApplicationStatus | None = None


class FounderIn(Input):
    name: Name
    email: Email
    gender: Gender = "undisclosed"


class ApplicationForm(Input):
    """The text fields of the public application (sent as multipart/form-data with the PDF)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    startup_name: Name
    founders: list[FounderIn] = Field(
        min_length=1, max_length=MAX_FOUNDERS,
        description="A JSON array of {name, email, gender}; the first founder is the contact. Also accepted: "
                    "one JSON object per repeated `founders` field, or `founders-0-name` style fields.",
    )
    sector: Sector
    stage: Stage
    province: Province = "phnom_penh"
    problem: Annotated[str, Field(min_length=1, max_length=3000)]
    solution: Annotated[str, Field(min_length=1, max_length=3000)]
    traction: Annotated[str, Field(max_length=3000)] = ""
    team: Annotated[str, Field(max_length=3000)] = ""
    website: Website = ""
    locale: Annotated[str, Field(max_length=8)] | None = Field(
        None, description="Language of the emails (en, km); defaults to the request's language."
    )


class Decision(Input):
    decision: Literal["accepted", "waitlisted", "rejected"]
    note: Annotated[str, Field(max_length=3000)] = ""


class ReviewSubmission(Input):
    scores: dict[Id, Annotated[int, Field(ge=1, le=5)]] = Field(
        description="A score from 1 to 5 for every criterion of the cohort's rubric, keyed by criterion id."
    )
    comment: LongText = ""


# Applications: responses ----------------------------------------------------------------------


class ApplicationReceipt(Output):
    id: int
    cohort_id: int
    startup_name: str
    status: ApplicationStatus
    submitted_at: datetime

    @classmethod
    def of(cls, application: Application):
        """Copy the same-named attributes (this class and its subclasses' plain fields)."""
        return cls(**{name: getattr(application, name) for name in cls.model_fields})


class ApplicationSummary(ApplicationReceipt):
    contact_email: str
    sector: str
    stage: str
    province: str
    status_label: str
    decided_at: datetime | None


class FounderOut(Output):
    name: str
    email: str
    gender: str


class CriterionOut(Output):
    id: int
    name: str
    description: str
    weight: int


class CriterionScore(Output):
    criterion_id: int
    name: str
    weight: int
    mean: float | None


class ReviewOut(Output):
    reviewer_name: str
    score: float | None = Field(description="This reviewer's weighted mean over the rubric (1-5).")
    comment: str
    submitted_at: datetime | None


class ScoreSummary(Output):
    assigned: int = Field(description="Reviewers assigned (not counting declared conflicts).")
    submitted: int
    score: float | None = Field(description="The mean of the reviewers' weighted means.")
    spread: float | None = Field(description="Highest minus lowest reviewer mean.")
    criteria: list[CriterionScore]
    reviews: list[ReviewOut]


class MyReview(Output):
    assignment_id: int
    status: str
    submitted_at: datetime | None


class ApplicationDetail(ApplicationSummary):
    problem: str
    solution: str
    traction: str
    team: str
    website: str
    has_pitch_deck: bool
    decision_note: str
    startup_id: int | None
    founders: list[FounderOut]
    criteria: list[CriterionOut]
    my_review: MyReview | None = Field(description="The caller's own review assignment, if any.")
    scores: ScoreSummary | None = Field(description="Present only when the caller may see scores.")


class ApplicationPage(Page[ApplicationSummary]):
    pass


class ReviewReceipt(Output):
    application_id: int
    status: str
    submitted_at: datetime | None
    comment: str
    scores: dict[int, int]
