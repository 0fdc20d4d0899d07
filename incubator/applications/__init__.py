"""Calls for applications, independent scored review, and decisions."""
