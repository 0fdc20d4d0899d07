"""Reusable queries for startups."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from incubator.cohorts.models import Startup


def startup_with_team(startup_id: int) -> sa.Select:
    """One startup with its cohort and team members loaded (what every startup page needs)."""
    return (
        sa.select(Startup)
        .where(Startup.id == startup_id)
        .options(joinedload(Startup.cohort), selectinload(Startup.members))
    )
