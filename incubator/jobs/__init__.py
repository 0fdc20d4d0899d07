"""Scheduled jobs: one scheduler process, a declarative registry and one runner that makes each run exactly once.

``registry.py`` says what runs when, ``runner.py`` runs one job in its own unit of work (recording
``(job_name, period_key)`` under a unique constraint together with the job's effect), and
``scheduler.py`` builds the single APScheduler that ``flask jobs run`` starts.
"""
