"""Browser journeys: the real app (gunicorn with gunicorn.conf.py, a fresh SQLite file, migrations and the demo)
driven by Playwright in Debian's Chromium, each step as the person who would take it.

Fixtures for new journeys: ``server`` (base URL, outbox reader), ``browser``, ``as_user(email)`` (a signed-in
page in its own browser context), ``anonymous()`` and ``journey`` (numbered screenshots under
``journey-screenshots/<journey>/``, paths printed). Every journey is marked ``journey`` and skipped, with the
reason, when Chromium is missing. Journeys share one server per test session and run in file order, so a later
journey can build on what an earlier one did (the founder accepted in one journey logs progress in the next).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("JOURNEY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "journey-screenshots"
DEMO_PASSWORD = "demo-pass-2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]
STEP_TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium fonts-khmeros) to run"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -r requirements-dev.txt)"
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.journey)
            # One worker runs every journey in order: later journeys build on earlier ones (``story``).
            item.add_marker(pytest.mark.xdist_group("journeys"))
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"{reason} the browser journeys"))


@dataclass
class Server:
    url: str
    process: subprocess.Popen | None
    log: Path | None
    database: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _run(args: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        result = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[-3:])} failed; log: {log}\n" + log.read_text()[-3000:])


def _wait_until_up(url: str, server: Server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the app server exited ({server.process.returncode}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own loopback server)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app server did not answer within {seconds} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app in gunicorn on a free loopback port: fresh SQLite database, migrations, the demo; mail kept in the
    outbox (no MAIL_SERVER), so journeys read invitation links from /outbox like a manager would.

    While writing a journey, reuse a server you started yourself (with a fresh demo database):
    ``JOURNEY_BASE_URL=http://127.0.0.1:5000 JOURNEY_DATABASE=/path/to/demo.db pytest tests/journeys``.
    """
    if os.environ.get("JOURNEY_BASE_URL"):
        yield Server(os.environ["JOURNEY_BASE_URL"].rstrip("/"), None, None, Path(os.environ["JOURNEY_DATABASE"]))
        return
    work = tmp_path_factory.mktemp("journey-server")
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if key not in ("TEST_DATABASE_URL", "FLASK_DEBUG")}
    env.update(
        APP_ENV="development", FLASK_APP="wsgi", SECRET_KEY="journeys-" + "k" * 40,
        DATABASE_URL=f"sqlite:///{work / 'journeys.db'}", UPLOAD_FOLDER=str(work / "uploads"),
        APP_BASE_URL=f"http://127.0.0.1:{port}", MAIL_SERVER="", RATELIMIT_STORAGE_URI="memory://",
        LOGIN_RATE_LIMIT_IP="1000 per minute", LOGIN_RATE_LIMIT_ACCOUNT="1000 per minute",
        GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", LOG_FORMAT="logfmt",
    )
    log = work / "server.log"
    started = time.monotonic()
    _run([str(bin_dir / "flask"), "db", "upgrade", "heads"], env, log)
    _run([str(bin_dir / "flask"), "demo"], env, log)
    print(f"\njourney server: migrated and loaded the demo in {time.monotonic() - started:.1f} s")
    out = log.open("a")
    process = subprocess.Popen([str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],  # noqa: S603
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    running = Server(f"http://127.0.0.1:{port}", process, log, work / "journeys.db")
    try:
        _wait_until_up(f"{running.url}/auth/login", running)
        print(f"journey server: {running.url} up after {time.monotonic() - started:.1f} s (log: {log})")
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        out.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Journey:
    """Numbered, full-page screenshots of one journey in ``journey-screenshots/<name>/``."""

    name: str
    folder: Path
    taken: list[Path] = field(default_factory=list)

    def shot(self, page, label: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        print(f"screenshot: {path.relative_to(ROOT)}")
        return path


@pytest.fixture
def journey(request) -> Journey:
    name = request.node.name.removeprefix("test_")
    folder = SCREENSHOTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Journey(name, folder)


def _new_page(browser, server: Server, locale: str = "en-GB"):
    context = browser.new_context(base_url=server.url, locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts: the user clicks OK
    # Script errors, Content-Security-Policy violations and failed sub-resources (CSS, JS, images, favicon);
    # a page itself may answer 4xx on purpose (a form with errors), so documents are left out.
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    page.console_errors = errors
    return context, page


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("form button[type=submit]", has_text="Sign in").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, f"sign-in as {email} failed: {page.locator('main').inner_text()[:300]}"


@pytest.fixture
def as_user(browser, server):
    """``as_user(email)`` returns a page signed in as ``email`` (demo password), each in its own browser context."""
    contexts = []

    def _open(email: str, password: str = DEMO_PASSWORD, locale: str = "en-GB"):
        context, page = _new_page(browser, server, locale)
        contexts.append(context)
        sign_in(page, email, password)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous(browser, server):
    """``anonymous()`` returns a page of a visitor who is not signed in."""
    contexts = []

    def _open(locale: str = "en-GB"):
        context, page = _new_page(browser, server, locale)
        contexts.append(context)
        return page

    yield _open
    for context in contexts:
        context.close()


def outbox_link(manager_page, to_email: str, subject_contains: str, path_pattern: str) -> str:
    """The first link matching ``path_pattern`` in the newest outbox email to ``to_email`` whose subject contains
    ``subject_contains``, read as a manager reads it on /outbox."""
    manager_page.goto("/outbox/")
    row = manager_page.locator("tbody tr", has_text=to_email).filter(has_text=subject_contains).first
    row.get_by_role("link").click()
    body = manager_page.locator("pre").inner_text()
    match = re.search(rf"https?://[^\s]*{path_pattern}[^\s]*", body)
    assert match, f"no link matching {path_pattern} in the email to {to_email}:\n{body[:800]}"
    return match.group(0)
