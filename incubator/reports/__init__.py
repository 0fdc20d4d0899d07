"""Investor-ready reports: startup one-pagers and cohort impact reports as immutable snapshots, shared by links."""
