"""Dates, times and the incubator's name as each viewer sees them."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import force_locale

from incubator.core.i18n import _local_datetime, incubator_name


def test_datetimes_are_day_first_24_hour_in_viewer_zone(app):
    moment = datetime(2026, 12, 24, 16, 30, tzinfo=timezone.utc)  # 23:30 in Phnom Penh
    with app.test_request_context():
        assert _local_datetime(moment, "short") == "24 Dec 2026, 23:30"
        with force_locale("km"):
            khmer = _local_datetime(moment, "short")
    assert "23:30" in khmer and "AM" not in khmer and "PM" not in khmer


def test_incubator_name_follows_language(app, monkeypatch):
    monkeypatch.setitem(app.config, "INCUBATOR_NAME", "Techo Startup Center")
    monkeypatch.setitem(app.config, "INCUBATOR_NAME_KM", "មជ្ឈមណ្ឌលតេជោស្តាតអាប់")
    with app.test_request_context():
        assert incubator_name() == "Techo Startup Center"
        with force_locale("km"):
            assert incubator_name() == "មជ្ឈមណ្ឌលតេជោស្តាតអាប់"
    monkeypatch.setitem(app.config, "INCUBATOR_NAME_KM", "")
    with app.test_request_context(), force_locale("km"):
        assert incubator_name() == "Techo Startup Center"


def test_time_zone_choices_are_current_names():
    from incubator.core.i18n import timezone_choices

    zones = timezone_choices()
    assert "Asia/Phnom_Penh" in zones and "Europe/Berlin" in zones and "Asia/Ho_Chi_Minh" in zones
    assert "Asia/Saigon" not in zones and "US/Eastern" not in zones and "Etc/GMT+7" not in zones
