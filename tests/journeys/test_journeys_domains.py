"""Browser journeys through mentoring, bookings, billing and investor reports (see conftest.py for the harness).

(e) the manager runs matching on the running cohort and publishes it, a mentor accepts a waiting match and the
Berlin mentor saves weekly availability; (f) the founder books a session with a matched mentor and downloads it
as an .ics file; (g) the founder books the 3D printer beyond the startup's allowance and is sent to pay on the
Stripe stand-in (``tests/billing/fake_stripe.py``); (h) the manager generates an investor one-pager, shares it by
link, an anonymous visitor opens the link and the investor sees what is shared with them.

This module runs its own app server (``server`` below) so that billing talks to the Stripe stand-in.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import free_port
from tests.journeys.conftest import ROOT, Server, _run, _wait_until_up

MANAGER = "manager@example.com"
FOUNDER = "founder@example.com"
WAITING_MENTOR = "mentor.paris@example.com"  # Marc Dubois has not answered his published match in the demo
BERLIN_MENTOR = "mentor.berlin@example.com"
INVESTOR = "investor@example.com"
WEBHOOK_SECRET = "whsec_journeys"


@pytest.fixture(scope="module")
def fake_stripe():
    """The Stripe stand-in on a loopback port, in this process (the app posts to it, it posts webhooks back)."""
    from pytest_httpserver import HTTPServer

    from tests.billing.fake_stripe import FakeStripe

    http = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    stand_in = FakeStripe(http, webhook_secret=WEBHOOK_SECRET)
    http.start()
    try:
        yield stand_in
    finally:
        http.clear()
        http.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake_stripe):
    """Like the session ``server`` of conftest.py, with STRIPE_* pointing at the stand-in. With JOURNEY_BASE_URL
    set, a server you started yourself (with the same STRIPE_* variables) is used instead."""
    if os.environ.get("JOURNEY_BASE_URL"):
        yield Server(os.environ["JOURNEY_BASE_URL"].rstrip("/"), None, None, Path(os.environ["JOURNEY_DATABASE"]))
        return
    work = tmp_path_factory.mktemp("journey-domains-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    fake_stripe.webhook_url = f"{url}/billing/webhooks/stripe"
    bin_dir = Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_URL", "FLASK_DEBUG")}
    env.update(
        APP_ENV="development", FLASK_APP="wsgi", SECRET_KEY="journeys-" + "d" * 40,
        DATABASE_URL=f"sqlite:///{work / 'journeys.db'}", UPLOAD_FOLDER=str(work / "uploads"),
        APP_BASE_URL=url, MAIL_SERVER="", RATELIMIT_STORAGE_URI="memory://",
        LOGIN_RATE_LIMIT_IP="1000 per minute", LOGIN_RATE_LIMIT_ACCOUNT="1000 per minute",
        GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", LOG_FORMAT="logfmt",
        STRIPE_SECRET_KEY="sk_test_journeys", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake_stripe.base_url,
    )
    log = work / "server.log"
    _run([str(bin_dir / "flask"), "db", "upgrade", "heads"], env, log)
    _run([str(bin_dir / "flask"), "demo"], env, log)
    out = log.open("a")
    process = subprocess.Popen([str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],  # noqa: S603
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    running = Server(url, process, log, work / "journeys.db")
    try:
        _wait_until_up(f"{url}/auth/login", running)
        print(f"\njourney server with the Stripe stand-in: {url} (log: {log})")
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        out.close()


def no_console_errors(page) -> None:
    # A Content-Security-Policy violation or a broken script shows up here.
    assert page.console_errors == [], page.console_errors


def flash_text(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def running_cohort_board(manager) -> None:
    """Open the matching board of the running cohort (listed first on the mentoring cohorts page)."""
    manager.goto("/mentoring/cohorts")
    manager.locator("main a[href^='/mentoring/cohorts/']").first.click()
    manager.wait_for_url(re.compile(r"/mentoring/cohorts/\d+$"))


def test_e_manager_matches_and_publishes_mentors_answer(as_user, journey):
    manager = as_user(MANAGER)
    running_cohort_board(manager)
    journey.shot(manager, "matching-board")
    manager.get_by_role("button", name=re.compile(r"^Run matching")).click()
    manager.wait_for_load_state()
    assert "Matching done in" in flash_text(manager), flash_text(manager)
    journey.shot(manager, "matching-run")
    publish = manager.get_by_role("button", name=re.compile(r"^Publish \d+ proposals?$"))
    if publish.is_enabled():
        publish.click()
        manager.wait_for_load_state()
        assert re.search(r"\d+ match(es)? published", flash_text(manager)), flash_text(manager)
        journey.shot(manager, "published")

    mentor = as_user(WAITING_MENTOR)
    mentor.goto("/mentoring/my-startups")
    journey.shot(mentor, "waiting-matches")
    accept = mentor.get_by_role("button", name="Accept", exact=True)
    if accept.count():
        waiting = accept.count()
        accept.first.click()
        mentor.wait_for_load_state()
        assert "can now book sessions with you" in flash_text(mentor), flash_text(mentor)
        assert mentor.get_by_role("button", name="Accept", exact=True).count() == waiting - 1
        journey.shot(mentor, "accepted")

    berlin = as_user(BERLIN_MENTOR)
    berlin.goto("/mentoring/availability")
    berlin.locator("#day_1").fill("09:00-12:00")  # Tuesday mornings, Berlin time
    berlin.locator("#day_3").fill("08:00-10:00, 16:00-18:00")
    journey.shot(berlin, "availability-form")
    berlin.get_by_role("button", name="Save availability").click()
    berlin.wait_for_load_state()
    assert berlin.locator(".alert-success").count() >= 1, flash_text(berlin)
    berlin.goto("/mentoring/availability")
    assert berlin.locator("#day_1").input_value() == "09:00-12:00"
    assert "16:00-18:00" in berlin.locator("#day_3").input_value()
    journey.shot(berlin, "availability-saved")
    for page in (manager, mentor, berlin):
        no_console_errors(page)


def test_f_founder_books_a_mentor_and_downloads_the_ics(as_user, journey):
    founder = as_user(FOUNDER)
    founder.goto("/mentoring/book")
    journey.shot(founder, "book-a-mentor")
    founder.locator("main a[href*='/book/']", has_text="See open times").first.click()
    founder.wait_for_url(re.compile(r"/mentoring/startups/\d+/book/\d+"))
    slot = founder.locator("input[name=slot]").first
    slot_id = slot.get_attribute("id")
    founder.locator(f"label[for='{slot_id}']").click()
    founder.locator("#agenda").fill("Cold-chain pricing for the Siem Reap hotels; our first investor deck.")
    journey.shot(founder, "slot-chosen")
    founder.get_by_role("button", name="Book this time").click()
    founder.wait_for_load_state()
    assert "Booked." in flash_text(founder), founder.locator("main").inner_text()[:500]
    journey.shot(founder, "booked")

    with founder.expect_download() as download_info:
        founder.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics"), download.suggested_filename
    ics = Path(download.path()).read_text()
    assert "BEGIN:VCALENDAR" in ics
    starts = re.findall(r"^DTSTART[^:\r\n]*:(\S+)", ics, flags=re.M)
    assert starts and all(value.endswith("Z") for value in starts), starts
    no_console_errors(founder)


def weekdays_ahead(first: int, count: int) -> list[date]:
    days, day = [], date.today() + timedelta(days=first)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_g_founder_pays_for_the_3d_printer_beyond_the_allowance(as_user, journey, fake_stripe):
    founder = as_user(FOUNDER)
    founder.goto("/resources/")
    journey.shot(founder, "catalog")
    founder.get_by_role("link", name="3D printer (Prusa MK4)").click()
    printer = re.search(r"/resources/(\d+)", founder.url).group(1)
    for attempt, day in enumerate(weekdays_ahead(9, 5)):  # six hours: more than the four a month allowed
        founder.goto(f"/resources/{printer}?view=week&day={day.isoformat()}&start=09:00&end=15:00#book")
        founder.locator("#purpose").fill("Prototype housings for the solar ice boxes")
        if attempt == 0:
            journey.shot(founder, "booking-form")
        founder.get_by_role("button", name="Book", exact=True).click()
        founder.wait_for_url(re.compile(r"/pay/cs_|/resources/bookings/\d+|/resources/\d+/book"))
        if not re.search(r"/resources/\d+/book", founder.url):
            break
    if re.search(r"/resources/bookings/\d+", founder.url):  # a hold that waits for payment: pay from the booking
        journey.shot(founder, "awaiting-payment")
        founder.get_by_role("button", name=re.compile(r"^Pay ")).click()
    # Beyond the allowance the booking waits for payment and the founder lands on Stripe's Checkout.
    founder.wait_for_url(re.compile(re.escape(fake_stripe.base_url) + r"/pay/cs_"))
    assert "Fake Stripe Checkout" in founder.locator("h1").inner_text()
    assert founder.locator("#status").inner_text() == "open"
    assert "3D printer" in founder.locator("#item").inner_text(), founder.locator("#item").inner_text()
    journey.shot(founder, "stripe-checkout")
    founder.console_errors[:] = [e for e in founder.console_errors if fake_stripe.base_url not in e]  # its favicon
    no_console_errors(founder)


def test_h_manager_shares_a_one_pager_with_a_link_and_the_investor(as_user, anonymous, journey):
    manager = as_user(MANAGER)
    manager.goto("/reports/startups")
    manager.get_by_role("link", name="Kasekor Cold Chain").first.click()
    manager.wait_for_url(re.compile(r"/reports/startups/\d+/profile"))
    journey.shot(manager, "investor-profile")
    generate = manager.locator("form[action$='/one-pagers']")
    generate.get_by_role("button", name="Generate now").click()
    manager.wait_for_url(re.compile(r"/reports/\d+$"))
    assert "One-pager generated" in flash_text(manager), flash_text(manager)
    journey.shot(manager, "one-pager")

    manager.locator("#kind").select_option("link")
    manager.locator("#label").fill("Mekong Angels, December meeting")
    manager.get_by_role("button", name="Share", exact=True).click()
    manager.wait_for_load_state()
    link = manager.get_by_label("Link to copy").last.input_value()
    assert "/reports/s/" in link, link
    manager.locator("#kind").select_option("account")
    investor_option = manager.locator("#recipient_id option", has_text=INVESTOR).first.get_attribute("value")
    manager.locator("#recipient_id").select_option(investor_option)
    manager.get_by_role("button", name="Share", exact=True).click()
    manager.wait_for_load_state()
    snapshot_url = manager.url.split("#")[0]
    journey.shot(manager, "shared")

    visitor = anonymous()
    visitor.goto(link)
    assert "Kasekor Cold Chain" in visitor.locator("main").inner_text()
    journey.shot(visitor, "shared-link")

    investor = as_user(INVESTOR)
    investor.goto("/reports/shared")
    snapshot_path = re.search(r"/reports/\d+$", snapshot_url).group(0)
    investor.locator(f"main a[href='{snapshot_path}']").first.click()
    investor.wait_for_url(re.compile(re.escape(snapshot_path) + "$"))
    assert "Kasekor Cold Chain" in investor.locator("main").inner_text()
    journey.shot(investor, "shared-with-me")
    for page in (manager, visitor, investor):
        no_console_errors(page)
