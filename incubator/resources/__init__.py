"""Shared resources: the catalog, bookings without overlaps, approvals, training, allowances and utilization."""
