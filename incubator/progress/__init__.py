"""Progress tracking: milestones, monthly KPIs, weekly check-ins and the cohort health dashboard."""
