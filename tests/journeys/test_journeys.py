"""What people do with Incubator today, end to end in a real browser (see conftest.py for the harness).

(a) an applicant applies to an open call with a PDF pitch deck; (b) a manager scores and accepts the
application, and the founder accepts the emailed invitation and signs in; (c) a founder logs a milestone with
evidence, a monthly KPI report and a weekly check-in, and the manager verifies the milestone and sees the
dashboard change; (d) the same founder's weekly loop in Khmer, with no English left on those pages.
The journeys run in this order and (b) continues (a).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.journeys.conftest import outbox_link, sign_in
from tests.journeys.khmer import untranslated_english

DECK = Path(__file__).resolve().parents[1] / "data" / "deck.pdf"
MANAGER = "manager@example.com"
FOUNDER = "founder@example.com"
STARTUP = "Tonle Sap Fish Tracker"
APPLICANT = ("Srey Mom Kim", "sreymom.kim@example.com")
MILESTONE = "First 50 cold-chain boxes delivered"


@pytest.fixture(scope="module")
def story() -> dict:
    """What one journey leaves for the next (the application of (a) is decided in (b))."""
    return {}


def no_console_errors(page) -> None:
    # A Content-Security-Policy violation or a broken script shows up here.
    assert page.console_errors == [], page.console_errors


def test_a_applicant_applies_with_a_pitch_deck(anonymous, journey, story):
    page = anonymous()
    page.goto("/apply/")
    journey.shot(page, "open-calls")
    page.get_by_role("link", name="Apply now").first.click()
    story["cohort_id"] = int(re.search(r"/apply/(\d+)", page.url).group(1))

    page.get_by_label("Startup name").fill(STARTUP)
    page.locator("#founders-0-name").fill(APPLICANT[0])
    page.locator("#founders-0-email").fill(APPLICANT[1])
    page.locator("#founders-0-gender").select_option("female")
    page.locator("#sector").select_option("agritech")
    page.locator("#stage").select_option("prototype")
    page.locator("#province").select_option("kampong_chhnang")
    page.locator("#problem").fill("Floating villages lose a third of their catch before it reaches a buyer.")
    page.locator("#solution").fill("Solar ice boxes with a phone app that matches catches with Phnom Penh buyers.")
    page.locator("#traction").fill("Pilot with 12 families in Kampong Luong since March.")
    page.locator("#pitch_deck").set_input_files(str(DECK))
    journey.shot(page, "form-filled")
    page.get_by_role("button", name="Submit application").click()

    page.wait_for_url(re.compile(r"/apply/\d+/thanks"))
    assert "Thank you! Your application" in page.locator("h1").inner_text()
    journey.shot(page, "thanks")
    no_console_errors(page)


def test_b_manager_scores_and_accepts_then_the_founder_joins(as_user, anonymous, journey, story):
    if "cohort_id" not in story:
        pytest.skip("journey (a) did not submit the application")
    manager = as_user(MANAGER)
    manager.goto(f"/review/cohorts/{story['cohort_id']}")
    manager.get_by_role("link", name=STARTUP).click()
    journey.shot(manager, "application")

    # Managers review like any reviewer: assign yourself, then score.
    me = manager.locator("#reviewer_id option", has_text="Sophea Lim").get_attribute("value")
    manager.locator("#reviewer_id").select_option(me)
    manager.get_by_role("button", name="Assign").click()
    manager.goto("/review/mine")
    manager.locator("tr", has_text=STARTUP).get_by_role("link", name="Review now").click()
    radios = manager.locator("input[type=radio][value='4']")
    assert radios.count() >= 3, "one score per rubric criterion"
    for index in range(radios.count()):
        radios.nth(index).check()
    manager.locator("#comment").fill("Clear problem, a pilot that works, a founder from the lake.")
    journey.shot(manager, "scoring")
    manager.get_by_role("button", name="Submit review").click()
    manager.wait_for_load_state()

    manager.goto(f"/review/cohorts/{story['cohort_id']}")
    manager.get_by_role("link", name=STARTUP).click()
    manager.locator("#decision").select_option("accepted")
    manager.locator("#note").fill("Welcome to the programme!")
    manager.get_by_role("button", name="Record decision and email the applicant").click()
    manager.wait_for_load_state()
    assert manager.get_by_role("link", name=STARTUP).count() >= 1
    assert "Accepted" in manager.locator("main").inner_text()
    journey.shot(manager, "accepted")

    link = outbox_link(manager, APPLICANT[1], "invited", "/auth/invitation/")
    journey.shot(manager, "invitation-email")
    founder = anonymous()
    founder.goto(link)
    journey.shot(founder, "invitation")
    founder.get_by_label("New password").fill("tonle-sap-2026-fish")
    founder.get_by_label("Repeat the password").fill("tonle-sap-2026-fish")
    founder.get_by_role("button", name="Create my account").click()
    founder.wait_for_load_state()
    founder.locator("nav summary.nav-account").click()  # the account menu holds "Sign out"
    founder.locator("nav").get_by_role("button", name="Sign out").click()
    sign_in(founder, APPLICANT[1], "tonle-sap-2026-fish")
    assert STARTUP in founder.locator("main").inner_text()
    journey.shot(founder, "founder-home")
    no_console_errors(manager)
    no_console_errors(founder)


def choose_morale(page, value: int) -> None:
    """Click the morale button (a label styled as a button over a hidden radio), as a person does."""
    radio_id = page.locator(f"input[name=morale][value='{value}']").get_attribute("id")
    page.locator(f"label[for='{radio_id}']").click()


def founder_progress_url(page) -> str:
    page.goto("/")
    href = page.locator("main a[href*='/progress/startups/']").first.get_attribute("href")
    return re.match(r"(/progress/startups/\d+)", href).group(1)


def verified_stat(page) -> str:
    tile = page.locator("div.border", has_text="Milestones verified").first
    return tile.locator(".stat").inner_text()


def test_c_founder_logs_progress_and_the_manager_verifies(as_user, journey, story):
    founder = as_user(FOUNDER)
    progress = founder_progress_url(founder)
    story["progress_url"] = progress
    founder.goto(progress)
    journey.shot(founder, "progress")

    # A milestone of the startup's own, then marked done with its evidence.
    founder.goto(f"{progress}/milestones/new")
    founder.locator("#title").fill(MILESTONE)
    founder.locator("#description").fill("Delivery notes signed by the cooperative in Kampot.")
    founder.locator("#due_on").fill((date.today() + timedelta(days=14)).isoformat())
    journey.shot(founder, "milestone-form")
    founder.get_by_role("button", name="Save milestone").click()
    founder.wait_for_url(re.compile(r"/progress/startups/\d+"))
    founder.get_by_role("link", name=MILESTONE).first.click()
    milestone_url = founder.url
    founder.get_by_role("link", name="Update").first.click()
    founder.locator("#status").select_option("done")
    founder.locator("#evidence_file").set_input_files(str(DECK))
    journey.shot(founder, "milestone-evidence")
    founder.get_by_role("button", name="Save milestone").click()
    founder.wait_for_load_state()
    founder.goto(milestone_url)
    assert "deck.pdf" in founder.locator("main").inner_text()
    journey.shot(founder, "milestone-done")

    submit_kpis(founder, progress)
    journey.shot(founder, "kpi-report")

    founder.goto(f"{progress}/checkin")
    founder.locator("#progress").fill("Delivered 50 boxes; two more cooperatives asked for a demo.")
    founder.locator("#blockers").fill("Import duty on the solar panels.")
    choose_morale(founder, 4)
    journey.shot(founder, "checkin-form")
    founder.get_by_role("button", name="Save check-in").click()
    founder.wait_for_load_state()
    assert founder.locator(".alert").count() >= 1
    journey.shot(founder, "checkin-saved")

    manager = as_user(MANAGER)
    dashboard = dashboard_url(manager)
    manager.goto(dashboard)
    before = verified_stat(manager)
    journey.shot(manager, "dashboard-before")
    manager.goto(milestone_url)
    manager.get_by_role("button", name="Verify").click()
    manager.wait_for_load_state()
    assert "Verified" in manager.locator("main").inner_text()
    journey.shot(manager, "verified")
    manager.goto(dashboard)
    after = verified_stat(manager)
    journey.shot(manager, "dashboard-after")
    verified_before, total_before = (int(n) for n in before.split("/"))
    verified_after, total_after = (int(n) for n in after.split("/"))
    assert (verified_after, total_after) == (verified_before + 1, total_before), (before, after)
    no_console_errors(founder)
    no_console_errors(manager)


def dashboard_url(manager) -> str:
    manager.goto("/cohorts/")
    links = manager.locator("main a[href^='/cohorts/']")
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        if re.fullmatch(r"/cohorts/\d+", href):
            manager.goto(href)
            dashboard = manager.get_by_role("link", name="Progress dashboard")
            if dashboard.count():
                return dashboard.first.get_attribute("href")
    raise AssertionError("no running cohort with a progress dashboard")


def submit_kpis(page, progress: str) -> None:
    """Report last month's figures, or the latest month not reported yet."""
    month = date.today().replace(day=1)
    for _ in range(12):
        month = (month - timedelta(days=1)).replace(day=1)
        # With no month asked, the form sends founders to correct the month due if it is already in.
        page.goto(f"{progress}/kpis/new?month={month:%Y-%m}")
        page.locator("#month").fill(month.strftime("%Y-%m"))
        for name, value in (("revenue", "1250.50"), ("funding_raised", "0"), ("cash_in_bank", "8400"),
                            ("paying_customers", "14"), ("active_users", "160"), ("employees_full_time", "4"),
                            ("employees_full_time_women", "2"), ("employees_part_time", "1"),
                            ("employees_part_time_women", "1")):
            page.locator(f"#{name}").fill(value)
        page.get_by_role("button", name="Submit report").click()
        page.wait_for_load_state()
        if "/kpis/new" not in page.url:
            return
    raise AssertionError(f"no KPI report could be submitted: {page.locator('main').inner_text()[:500]}")


def test_d_founder_weekly_loop_in_khmer(as_user, journey, story, server):
    founder = as_user(FOUNDER)
    progress = story.get("progress_url") or founder_progress_url(founder)
    founder.locator("#lang-select").select_option("km")  # submits itself (static/js/app.js)
    founder.wait_for_load_state()
    assert founder.locator("html").get_attribute("lang") == "km"

    pages = {"home": "/", "progress": progress, "checkin": f"{progress}/checkin",
             "kpi-report": f"{progress}/kpis/new", "new-milestone": f"{progress}/milestones/new"}
    found: dict[str, list[str]] = {}
    for label, url in pages.items():
        founder.goto(url)
        journey.shot(founder, label)
        found[url] = untranslated_english(founder, server)

    # The weekly loop itself: update this week's check-in, in Khmer.
    founder.goto(f"{progress}/checkin")
    founder.locator("#progress").fill("បានដឹកជញ្ជូនប្រអប់ត្រជាក់ ៥០ ហើយ។")
    choose_morale(founder, 5)
    founder.locator("form button[type=submit]").last.click()
    founder.wait_for_load_state()
    journey.shot(founder, "checkin-saved")
    found[founder.url + " (after saving)"] = untranslated_english(founder, server)
    no_console_errors(founder)

    leftovers = {url: texts for url, texts in found.items() if texts}
    report = "\n".join(f"  {url}:\n" + "\n".join(f"    - {text!r}" for text in texts)
                       for url, texts in leftovers.items())
    assert not leftovers, f"English left on Khmer pages (translate these strings):\n{report}"
