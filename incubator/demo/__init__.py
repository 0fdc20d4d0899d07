"""The demo incubator loaded by ``flask demo``: realistic people, cohorts, applications and reviews."""
from incubator.demo.data import ACCOUNTS, DEMO_PASSWORD, LOGINS, MARKER_EMAIL
from incubator.demo.loader import DemoSummary, demo_loaded, load_demo

__all__ = ["ACCOUNTS", "DEMO_PASSWORD", "LOGINS", "MARKER_EMAIL", "DemoSummary", "demo_loaded", "load_demo"]
