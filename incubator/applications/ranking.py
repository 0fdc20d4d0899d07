"""Ranking applications by weighted mean score, with the spread between reviewers."""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from incubator.applications.models import Application, ReviewAssignment, ReviewScore, ReviewStatus, RubricCriterion
from incubator.applications.permissions import can_see_scores
from incubator.extensions import db


@dataclass
class RankedApplication:
    application: Application
    reviewer_means: list[float] = field(default_factory=list)
    assigned: int = 0
    scores_visible: bool = True

    @property
    def score(self) -> float | None:
        return round(mean(self.reviewer_means), 2) if self.reviewer_means else None

    @property
    def spread(self) -> float | None:
        if len(self.reviewer_means) < 2:
            return None
        return round(max(self.reviewer_means) - min(self.reviewer_means), 2)


def weighted_mean(scores: dict[int, int], weights: dict[int, int]) -> float:
    """A reviewer's score: sum(weight * score) / sum(weight) over the rubric's criteria."""
    total_weight = sum(weights[c] for c in scores)
    return sum(weights[c] * s for c, s in scores.items()) / total_weight


def rank_cohort(cohort_id: int, viewer, status: str | None = None) -> list[RankedApplication]:
    """Every application of the cohort, best first; a fixed number of queries whatever the size."""
    query = (
        sa.select(Application)
        .where(Application.cohort_id == cohort_id)
        .options(selectinload(Application.assignments), selectinload(Application.founders))
    )
    if status:
        query = query.where(Application.status == status)
    applications = db.session.scalars(query).all()
    weights = dict(
        db.session.execute(sa.select(RubricCriterion.id, RubricCriterion.weight).where(
            RubricCriterion.cohort_id == cohort_id)).all()
    )
    rows = db.session.execute(
        sa.select(ReviewAssignment.id, ReviewScore.criterion_id, ReviewScore.score)
        .join(ReviewScore)
        .join(Application)
        .where(Application.cohort_id == cohort_id, ReviewAssignment.status == ReviewStatus.SUBMITTED)
    ).all()
    by_assignment: dict[int, dict[int, int]] = {}
    for assignment_id, criterion_id, score in rows:
        by_assignment.setdefault(assignment_id, {})[criterion_id] = score
    ranked = []
    for application in applications:
        assigned = sum(1 for a in application.assignments if a.status != ReviewStatus.CONFLICT)
        item = RankedApplication(application, assigned=assigned)
        item.scores_visible = can_see_scores(viewer, application)
        for assignment in application.assignments:
            scores = by_assignment.get(assignment.id)
            if scores and item.scores_visible:
                item.reviewer_means.append(weighted_mean(scores, weights))
        ranked.append(item)
    ranked.sort(key=lambda r: (r.score is None, -(r.score or 0), r.application.submitted_at))
    return ranked
