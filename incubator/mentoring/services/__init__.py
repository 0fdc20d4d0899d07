"""Mentoring rules by concern: profiles and matching, availability, bookings. Services flush; the caller commits."""
