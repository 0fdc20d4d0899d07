"""Benchmark the mentor matcher (``incubator.mentoring.matching.solve``) on random cohorts.

Builds startups and mentors the way a large programme looks (a 60-tag taxonomy, must-have and
nice-to-have needs, five languages, mentors in Phnom Penh, Seoul, Shanghai, Berlin and Paris with
capacities of 1 to 6) and prints, per size, the time to score, to solve and in total on one core,
with the number of candidate pairs and of pairs made.

    python bench/matching.py                      # 100, 1,000 and 5,000 startups x 1,000 mentors
    python bench/matching.py --startups 200 --mentors 50 --k 2 --repeat 3
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from pathlib import Path

# One core, as the target says: keep NumPy's BLAS to a single thread (set before importing NumPy).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incubator.mentoring.matching import MentorData, StartupData, Weights, solve  # noqa: E402

TAGS = 60
SECTORS = ("agritech", "digital", "biotech", "food", "clean_energy", "manufacturing", "health", "education")
ZONES = (420, 420, 420, 540, 480, 60, 60, 120)  # Phnom Penh ×3, Seoul, Shanghai, Berlin/Paris (winter and summer)


def make_mentors(count: int, rng: random.Random) -> list[MentorData]:
    mentors = []
    for i in range(count):
        zone = rng.choice(ZONES)
        languages = {"en"} if rng.random() < 0.8 else set()
        languages |= {"km"} if zone == 420 else {"ko"} if zone == 540 else {"zh"} if zone == 480 else \
            {rng.choice(["fr", "en"])}
        mentors.append(MentorData(
            id=i + 1, expertise=frozenset(rng.sample(range(TAGS), rng.randint(2, 8))),
            sectors=frozenset(rng.sample(SECTORS, rng.randint(1, 3))), languages=frozenset(languages),
            utc_offset_minutes=zone, capacity=rng.randint(1, 6), load=0,
        ))
    return mentors


def make_startups(count: int, rng: random.Random) -> list[StartupData]:
    startups = []
    for i in range(count):
        needs = rng.sample(range(TAGS), rng.randint(1, 6))
        cut = rng.randint(0, len(needs))
        languages = {"km"} | ({"en"} if rng.random() < 0.7 else set())
        startups.append(StartupData(
            id=i + 1, must=frozenset(needs[:cut]), nice=frozenset(needs[cut:]), sector=rng.choice(SECTORS),
            languages=frozenset(languages), utc_offset_minutes=420,
        ))
    return startups


def add_conflicts(mentors: list[MentorData], startups: int, rng: random.Random) -> list[MentorData]:
    """One mentor in ten declares a conflict of interest with two startups, as in real cohorts."""
    return [MentorData(**{**m.__dict__, "conflicts": frozenset(rng.sample(range(1, startups + 1), min(2, startups)))})
            if rng.random() < 0.1 else m for m in mentors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--startups", type=int, nargs="*", default=[100, 1000, 5000])
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--k", type=int, default=1, help="mentors per startup")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the median is shown)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    weights = Weights(k=args.k)
    header = f"{'startups':>9} {'mentors':>8} {'capacity':>9} {'candidates':>11} {'pairs':>7} {'short':>6} " \
             f"{'score s':>8} {'solve s':>8} {'total s':>8}"
    print(header)
    print("-" * len(header))
    for size in args.startups:
        rng = random.Random(args.seed + size)  # noqa: S311  (reproducible test data, not secrets)
        mentors = add_conflicts(make_mentors(args.mentors, rng), size, rng)
        startups = make_startups(size, rng)
        runs = [solve(startups, mentors, weights) for _ in range(args.repeat)]
        result = runs[-1]
        median = {key: statistics.median(r.timings[key] for r in runs) for key in ("score", "solve", "total")}
        print(f"{size:>9,} {args.mentors:>8,} {sum(m.capacity for m in mentors):>9,} {result.candidate_pairs:>11,} "
              f"{len(result.pairs):>7,} {len(result.shortfalls):>6,} {median['score']:>8.2f} {median['solve']:>8.2f} "
              f"{median['total']:>8.2f}")


if __name__ == "__main__":
    main()
