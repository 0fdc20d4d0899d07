"""Programs, cohorts, startups and their teams."""
