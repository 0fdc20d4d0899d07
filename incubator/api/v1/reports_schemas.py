"""Schemas of the reports endpoints: snapshots (metadata and their stored figures)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from incubator.api.v1.schemas import Id, Output, Page, PageQuery
from incubator.reports.models import ReportSnapshot


class ReportListQuery(PageQuery):
    kind: Literal["one_pager", "cohort_impact"] | None = Field(None, description="Only this kind of report.")
    cohort_id: Id | None = Field(None, description="Only reports of this cohort (one-pagers of its startups too).")


class ReportOut(Output):
    id: int
    kind: Literal["one_pager", "cohort_impact"]
    title: str = Field(description="The startup's or cohort's name when the report was made.")
    startup_id: int | None = Field(description="The startup of a one-pager; null for a cohort report.")
    cohort_id: int
    as_of: date = Field(description="The date the figures are as of (Asia/Phnom_Penh).")
    version: int = Field(description="Counts up per report, subject and date.")
    locale: Literal["en", "km"]
    sections: list[str] = Field(description="One-pagers: the sections the founders shared (the only ones stored).")
    created_at: datetime
    pdf_bytes: int
    pdf_sha256: str = Field(description="SHA-256 of the stored PDF, to check a copy.")

    @classmethod
    def of(cls, snapshot: ReportSnapshot) -> ReportOut:
        return cls(id=snapshot.id, kind=snapshot.kind.value, title=snapshot.title, startup_id=snapshot.startup_id,
                   cohort_id=snapshot.cohort_id, as_of=snapshot.as_of, version=snapshot.version,
                   locale=snapshot.locale, sections=list(snapshot.sections or []), created_at=snapshot.created_at,
                   pdf_bytes=snapshot.pdf_bytes, pdf_sha256=snapshot.pdf_sha256)


class ReportDetail(ReportOut):
    data: dict = Field(description="The figures as stored when the report was made: money in minor units with "
                                   "its currency, dates as ISO strings, vocabulary keys (sector, stage, province).")

    @classmethod
    def of(cls, snapshot: ReportSnapshot) -> ReportDetail:
        return cls(**ReportOut.of(snapshot).model_dump(), data=snapshot.data)


class ReportPage(Page[ReportOut]):
    pass
