"""The matcher as a pure function: optimal against brute force, every hard constraint, reasons, determinism."""
from __future__ import annotations

import itertools
import random

import pytest

from incubator.mentoring.matching import (
    MentorData,
    Pair,
    Reason,
    StartupData,
    Weights,
    explain,
    objective,
    points_matrix,
    solve,
    violations,
)
from incubator.mentoring.matching.scoring import overlap_minutes

LANGS = ("km", "en", "zh", "ko", "fr")


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311  (reproducible test data)
ZONES = (420, 420, 540, 480, 60, 120, -300)


def brute_force(startups, mentors, weights):
    """The best objective value by trying every assignment (tiny instances only)."""
    points = {(s.id, m.id): explain(s, m, weights).points for s in startups for m in mentors}
    options = []
    for s in startups:
        slots = max(0, weights.k - len(s.kept))
        eligible = [m.id for m in mentors if m.free > 0 and not violations(s, m, weights, points[s.id, m.id])]
        options.append([c for r in range(slots + 1) for c in itertools.combinations(eligible, r)])
    free = {m.id: m.free for m in mentors}
    best = (0, 0, 0)
    for combo in itertools.product(*options):
        used: dict[int, int] = {}
        for chosen in combo:
            for mentor_id in chosen:
                used[mentor_id] = used.get(mentor_id, 0) + 1
        if any(n > free[m] for m, n in used.items()):
            continue
        pairs = [Pair(s.id, m, 0, points[s.id, m]) for s, chosen in zip(startups, combo, strict=True) for m in chosen]
        best = max(best, objective(pairs, startups))
    return best


def random_instance(rng: random.Random):
    n_startups, n_mentors = rng.randint(1, 5), rng.randint(1, 4)
    weights = Weights(k=rng.choice([1, 1, 2, 3]), min_score=rng.choice([0, 0, 0.25, 0.5]),
                      needs=rng.randint(0, 6), sector=rng.randint(0, 3), timezone=rng.randint(1, 3),
                      must=rng.randint(1, 4))
    mentors = [MentorData(
        id=10 + j, expertise=frozenset(rng.sample(range(8), rng.randint(0, 4))),
        sectors=frozenset(rng.sample(["agritech", "digital", "health"], rng.randint(0, 2))),
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))), utc_offset_minutes=rng.choice(ZONES),
        capacity=rng.randint(0, 3), load=rng.randint(0, 1),
        conflicts=frozenset(rng.sample(range(1, n_startups + 1), rng.randint(0, 1))),
    ) for j in range(n_mentors)]
    mentor_ids = [m.id for m in mentors]
    startups = [StartupData(
        id=i + 1, must=frozenset(rng.sample(range(8), rng.randint(0, 3))),
        nice=frozenset(rng.sample(range(8), rng.randint(0, 3))), sector=rng.choice(["agritech", "digital", "health"]),
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))), utc_offset_minutes=rng.choice(ZONES),
        kept=frozenset(rng.sample(mentor_ids, 1)) if rng.random() < 0.2 else frozenset(),
        excluded=frozenset(rng.sample(mentor_ids, 1)) if rng.random() < 0.2 else frozenset(),
    ) for i in range(n_startups)]
    return startups, mentors, weights


def check_feasible(result, startups, mentors, weights):
    by_s = {s.id: s for s in startups}
    by_m = {m.id: m for m in mentors}
    seen = set()
    per_startup: dict[int, int] = {}
    per_mentor: dict[int, int] = {}
    for pair in result.pairs:
        s, m = by_s[pair.startup_id], by_m[pair.mentor_id]
        assert (s.id, m.id) not in seen, "a mentor twice for one startup"
        seen.add((s.id, m.id))
        assert not violations(s, m, weights, pair.points), (s, m)
        assert pair.points == explain(s, m, weights).points
        per_startup[s.id] = per_startup.get(s.id, 0) + 1
        per_mentor[m.id] = per_mentor.get(m.id, 0) + 1
    for s in startups:
        assert per_startup.get(s.id, 0) + len(s.kept) <= max(weights.k, len(s.kept))
    for m in mentors:
        assert per_mentor.get(m.id, 0) <= m.free


@pytest.mark.parametrize("seed", range(8))
def test_optimal_against_brute_force_on_random_small_instances(seed):
    rng = seeded(seed)
    for _ in range(60):
        startups, mentors, weights = random_instance(rng)
        result = solve(startups, mentors, weights)
        check_feasible(result, startups, mentors, weights)
        assert result.objective == brute_force(startups, mentors, weights)
        assert result.objective == objective(result.pairs, startups)


def _mentor(id, **kw):
    return MentorData(id=id, **({"languages": frozenset({"en"}), "capacity": 1} | kw))


def _startup(id, **kw):
    return StartupData(id=id, **({"languages": frozenset({"en"})} | kw))


def test_not_greedy_more_startups_first():
    # Greedy by score gives mentor 10 to startup 1 (its best pair) and leaves startup 2, who only speaks
    # Khmer, without anyone; the optimum gives startup 1 the other mentor.
    weights = Weights(sector=0, timezone=0)
    startups = [_startup(1, must=frozenset({1})), _startup(2, must=frozenset({2, 3}), languages=frozenset({"km"}))]
    mentors = [_mentor(10, expertise=frozenset({1, 2}), languages=frozenset({"en", "km"})), _mentor(11)]
    assert explain(startups[0], mentors[0], weights).points > explain(startups[1], mentors[0], weights).points
    result = solve(startups, mentors, weights)
    assert {(p.startup_id, p.mentor_id) for p in result.pairs} == {(1, 11), (2, 10)}
    assert result.shortfalls == ()


def test_covering_a_startup_beats_a_second_mentor_for_another():
    weights = Weights(k=2, sector=0, timezone=0)
    startups = [_startup(1, must=frozenset({1})), _startup(2, languages=frozenset({"km", "en"}))]
    mentors = [_mentor(10, expertise=frozenset({1})), _mentor(11, expertise=frozenset({1}))]
    result = solve(startups, mentors, weights)
    assert {p.startup_id for p in result.pairs} == {1, 2}
    assert result.objective[0] == 2


def test_more_pairs_beat_a_higher_total_score():
    # Both startups already have a mentor, so coverage is equal: two weak pairs beat one strong pair.
    weights = Weights(k=2, sector=0, timezone=0)
    startups = [_startup(1, kept=frozenset({99})),
                _startup(2, must=frozenset({1}), kept=frozenset({98}), languages=frozenset({"en", "fr"}))]
    mentors = [_mentor(10, expertise=frozenset({1})), _mentor(11, languages=frozenset({"fr"}))]
    result = solve(startups, mentors, weights)
    assert {(p.startup_id, p.mentor_id) for p in result.pairs} == {(1, 10), (2, 11)}
    assert result.objective == (0, 2, 0)


def test_hard_constraint_shared_language():
    result = solve([_startup(1, languages=frozenset({"km"}))], [_mentor(10, languages=frozenset({"ko"}))])
    assert result.pairs == ()
    assert result.shortfalls[0].reason == Reason.NO_SHARED_LANGUAGE


def test_hard_constraint_conflict_of_interest():
    result = solve([_startup(1)], [_mentor(10, conflicts=frozenset({1})), _mentor(11, conflicts=frozenset({1}))])
    assert result.pairs == ()
    assert result.shortfalls[0].reason == Reason.CONFLICT_OF_INTEREST


def test_hard_constraint_capacity_counts_current_load():
    mentors = [_mentor(10, capacity=2, load=1)]
    result = solve([_startup(1), _startup(2), _startup(3)], mentors)
    assert len(result.pairs) == 1
    assert [s.reason for s in result.shortfalls] == [Reason.TAKEN_BY_OTHERS] * 2
    full = solve([_startup(1)], [_mentor(10, capacity=2, load=2)])
    assert full.pairs == () and full.shortfalls[0].reason == Reason.MENTORS_FULL


def test_k_mentors_per_startup_counting_kept_ones():
    mentors = [_mentor(10 + j, capacity=5) for j in range(4)]
    result = solve([_startup(1), _startup(2, kept=frozenset({10}))], mentors, Weights(k=3))
    per = {sid: sum(1 for p in result.pairs if p.startup_id == sid) for sid in (1, 2)}
    assert per == {1: 3, 2: 2}
    assert all(p.mentor_id != 10 for p in result.pairs if p.startup_id == 2)


def test_k_defaults_to_one_and_a_mentor_is_never_given_twice():
    result = solve([_startup(1)], [_mentor(10, capacity=5)], Weights(k=3))
    assert [(p.startup_id, p.mentor_id) for p in result.pairs] == [(1, 10)]
    assert result.shortfalls[0].missing == 2
    assert Weights().k == 1


def test_excluded_pairs_and_minimum_score():
    excluded = solve([_startup(1, excluded=frozenset({10}))], [_mentor(10)])
    assert excluded.shortfalls[0].reason == Reason.EXCLUDED
    weights = Weights(min_score=0.9, sector=0, timezone=0)
    low = solve([_startup(1, must=frozenset({1}))], [_mentor(10, expertise=frozenset({2}))], weights)
    assert low.pairs == () and low.shortfalls[0].reason == Reason.BELOW_MIN_SCORE


def test_empty_pool_and_empty_cohort():
    assert solve([_startup(1)], []).shortfalls[0].reason == Reason.NO_MENTORS
    empty = solve([], [_mentor(10)])
    assert empty.pairs == () and empty.shortfalls == () and empty.objective == (0, 0, 0)


def test_deterministic_whatever_the_input_order():
    rng = seeded(42)
    startups = [_startup(i, must=frozenset(rng.sample(range(5), 2))) for i in range(1, 30)]
    mentors = [_mentor(100 + j, expertise=frozenset(rng.sample(range(5), 2)), capacity=2) for j in range(10)]
    first = solve(startups, mentors)
    shuffled_s, shuffled_m = startups[:], mentors[:]
    rng.shuffle(shuffled_s)
    rng.shuffle(shuffled_m)
    again = solve(shuffled_s, shuffled_m)
    assert (first.pairs, first.shortfalls) == (again.pairs, again.shortfalls)


def test_explanation_says_why():
    weights = Weights(needs=6, sector=2, timezone=2, must=3, nice=1)
    startup = _startup(1, must=frozenset({1, 2}), nice=frozenset({3}), sector="agritech",
                       languages=frozenset({"km", "en"}), utc_offset_minutes=420)
    mentor = _mentor(10, expertise=frozenset({1, 3, 9}), sectors=frozenset({"agritech"}),
                     languages=frozenset({"en", "ko"}), utc_offset_minutes=540)
    found = explain(startup, mentor, weights)
    assert found.must_covered == (1,) and found.must_missing == (2,) and found.nice_covered == (3,)
    assert found.languages == ("en",) and found.sector_match and found.overlap_hours == 7
    assert found.needs_fit == pytest.approx(4 / 7)
    assert found.score == pytest.approx((6 * 4 / 7 + 2 + 2 * 7 / 9) / 10)


@pytest.mark.parametrize(("a", "b", "hours"), [
    (420, 420, 9), (420, 540, 7), (420, 60, 3), (420, 120, 4), (420, -300, 0), (840, -600, 9), (-600, 840, 9),
])
def test_working_hours_overlap(a, b, hours):
    assert overlap_minutes(a, b, Weights()) == hours * 60


def test_vectorised_scores_agree_with_explain():
    rng = seeded(7)
    for _ in range(20):
        startups, mentors, weights = random_instance(rng)
        matrix = points_matrix(startups, mentors, weights)
        for i, s in enumerate(startups):
            for j, m in enumerate(mentors):
                assert matrix[i, j] == explain(s, m, weights).points


@pytest.mark.parametrize("bad", [dict(k=0), dict(needs=0, sector=0, timezone=0), dict(must=-1),
                                 dict(work_start=600, work_end=600)])
def test_weights_are_checked(bad):
    with pytest.raises(ValueError):
        Weights(**bad)
