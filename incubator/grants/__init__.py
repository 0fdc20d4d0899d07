"""Seed grants: one grant per startup, paid in tranches that unlock on a verified milestone or a date."""
