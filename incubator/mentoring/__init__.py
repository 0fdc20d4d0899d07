"""Mentoring: mentor profiles, startup needs, optimal matching, availability, bookings and sessions."""
