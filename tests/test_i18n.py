"""English and Khmer: the catalog compiles, the language switch works, and no translation can crash a page.

The compiled ``.mo`` is build output (git-ignored, built by ``make translations``); the ``km_catalog``
session fixture compiles it when it is missing or older than the ``.po``, so this module also runs on a
fresh checkout.
"""
from __future__ import annotations

import os
import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_babel import force_locale, format_date, get_babel, lazy_gettext, ngettext

from incubator.core.money import format_money
from incubator.extensions import db
from tests.factories import DEFAULT_PASSWORD, ApplicationFactory, CohortFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "incubator" / "translations"
POT = TRANSLATIONS / "messages.pot"
KM_PO = TRANSLATIONS / "km" / "LC_MESSAGES" / "messages.po"
KM_MO = KM_PO.with_suffix(".mo")

# %(name)s, %(n)d, %(score).2f ... as Python's %-formatting reads them; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])")

# Pages a founder or an applicant sees must be fully translated (managers' pages may lag behind).
FOUNDER_AND_APPLICANT_SOURCES = (
    "templates/base.html",
    "templates/apply/",
    "templates/auth/login.html",
    "templates/auth/forgot.html",
    "templates/auth/reset.html",
    "templates/auth/accept_invitation.html",
    "templates/auth/link_problem.html",
    "templates/auth/profile.html",
    "templates/home/welcome.html",
    "templates/home/founder.html",
    "templates/cohorts/startup.html",
    "templates/cohorts/startup_form.html",
    "templates/errors/",
    "templates/emails/",
    "templates/macros/",
    "incubator/cohorts/choices.py",
    "incubator/auth/passwords.py",
    "incubator/auth/forms.py",
    "incubator/applications/forms.py",
    "incubator/core/errors.py",
)


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


@pytest.fixture(scope="session")
def km_catalog(app) -> Catalog:
    """The parsed Khmer catalog, with its ``.mo`` compiled next to it if missing or stale."""
    catalog = _read_po(KM_PO, locale="km")
    if not KM_MO.exists() or KM_MO.stat().st_mtime < KM_PO.stat().st_mtime:
        partial = KM_MO.with_name(f"messages.{os.getpid()}.mo.tmp")
        with partial.open("wb") as handle:
            write_mo(handle, catalog)  # fuzzy entries left out, as `pybabel compile` does
        os.replace(partial, KM_MO)  # atomic: a parallel run never loads half a file
        # Flask-Babel caches catalogs per locale for the life of the process; forget a km loaded earlier.
        with app.app_context():
            get_babel(app).instance.domain_instance.cache.clear()
    return catalog


@pytest.fixture(scope="session")
def extracted() -> Catalog:
    """A fresh extraction of the sources with babel.cfg, as scripts/update_translations.sh runs it."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}  # as the script
    catalog = Catalog()
    for folder in ("incubator", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=keywords
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def _switch_language(client, lang: str, next_url: str = "/"):
    return client.post("/language", data={"lang": lang, "next": next_url})


# --- the catalog itself


def test_km_catalog_compiles_and_loads(km_catalog):
    assert km_catalog.num_plurals == 1
    assert km_catalog.plural_expr == "0"
    problems = [(_msgid(message), errors) for message, errors in km_catalog.check()]  # what `pybabel compile` checks
    assert problems == []
    write_mo(BytesIO(), km_catalog)
    translations = Translations.load(str(TRANSLATIONS), ["km"])
    assert translations.gettext("Sign in") == "ចូលគណនី"
    assert translations.ngettext("%(num)d team member", "%(num)d team members", 3) == "សមាជិកក្រុម %(num)d នាក់"


def test_no_fuzzy_entries_in_km(km_catalog):
    fuzzy = [_msgid(m) for m in km_catalog if m.id and "fuzzy" in m.flags]
    assert fuzzy == []


def test_placeholders_survive_translation(km_catalog):
    """Each msgstr uses exactly the msgid's placeholders, with the same types, and formats without error."""
    broken = []
    for message in km_catalog:
        if not message.id or not _is_translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = {spec for text in ids for spec in PLACEHOLDER.findall(text)}
        values = {name: (1 if kind in "dioxXeEfFgGc" else "x") for name, kind in expected if name}
        # Templates always %-format (Jinja newstyle gettext), so a stray "%" there would crash the page.
        always_formatted = any(path.startswith("templates/") for path, _ in message.locations)
        for text in strings:
            if {spec for spec in PLACEHOLDER.findall(text)} != expected:
                broken.append((_msgid(message), text))
                continue
            if values or always_formatted:
                try:
                    text % values
                except (KeyError, ValueError, TypeError) as exc:
                    broken.append((_msgid(message), f"{text} -> {exc!r}"))
    assert broken == []


def test_pot_and_km_catalog_contain_every_marked_string(extracted, km_catalog):
    """Catches a string added to the code without running scripts/update_translations.sh."""
    in_code = {_msgid(m) for m in extracted if m.id}
    assert sorted(in_code - {_msgid(m) for m in _read_po(POT) if m.id}) == []
    assert sorted(in_code - {_msgid(m) for m in km_catalog if m.id}) == []


def test_public_pages_are_fully_translated(extracted, km_catalog):
    wanted = {
        _msgid(m) for m in extracted
        if m.id and any(path.startswith(("templates/apply/", "templates/auth/login.html", "templates/base.html"))
                        for path, _ in m.locations)
    }
    assert wanted
    # Catalog.get finds a plural entry by its singular msgid.
    untranslated = sorted(i for i in wanted if not (km_catalog.get(i) and _is_translated(km_catalog.get(i))))
    assert untranslated == []


def test_founder_and_applicant_strings_are_translated(extracted, km_catalog):
    wanted = {
        _msgid(m) for m in extracted
        if m.id and any(path.startswith(FOUNDER_AND_APPLICANT_SOURCES) for path, _ in m.locations)
    }
    untranslated = sorted(i for i in wanted if not (km_catalog.get(i) and _is_translated(km_catalog.get(i))))
    assert untranslated == []


# --- choosing the language


def test_language_switch_renders_login_in_khmer(client, km_catalog):
    response = _switch_language(client, "km", "/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")

    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="km">' in page
    for khmer in ("ចូលគណនី", "ភ្លេចពាក្យសម្ងាត់?", "ពាក្យសម្ងាត់", "រក្សាការចូលគណនីនៅលើឧបករណ៍នេះ", "ដាក់ពាក្យ"):
        assert khmer in page
    for english in ("Forgot your password?", "Keep me signed in on this device", ">Sign in<", ">Password<",
                    "Accounts are created by invitation"):
        assert english not in page


def test_public_apply_form_renders_in_khmer(client, km_catalog):
    cohort = CohortFactory(sectors=["agritech", "digital"])
    _switch_language(client, "km")

    page = client.get(f"/apply/{cohort.id}").get_data(as_text=True)
    for khmer in ("ដាក់ពាក្យចូល", "ឈ្មោះស្តាតអាប់", "ស្ថាបនិក", "វិស័យ", "រាជធានី/ខេត្ត", "ភ្នំពេញ", "សៀមរាប",
                  "បច្ចេកវិទ្យាកសិកម្ម", "មិនចង់បញ្ជាក់", "ឯកសារបទបង្ហាញគម្រោង", "ដាក់ពាក្យស្នើសុំ"):
        assert khmer in page
    for english in ("Startup name", "Submit application", "Phnom Penh", "Prefer not to say", "Agritech",
                    "What is your solution?", "Fields marked * are required"):
        assert english not in page

    calls = client.get("/apply/").get_data(as_text=True)
    assert "ការប្រកាសទទួលពាក្យស្នើសុំ" in calls and "Open calls for applications" not in calls


def test_apply_form_validation_messages_in_khmer(client, km_catalog):
    cohort = CohortFactory()
    _switch_language(client, "km")

    response = client.post(f"/apply/{cohort.id}", data={"startup_name": "Kasekor", "founders-0-name": "Dara"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "សូមភ្ជាប់ឯកសារបទបង្ហាញគម្រោងរបស់អ្នក។" in page  # FileRequired message from our catalog
    assert "Attach your pitch deck." not in page


def test_wtforms_builtin_messages_in_khmer(client, km_catalog):
    _switch_language(client, "km")
    page = client.post("/auth/login", data={"email": "not-an-email", "password": ""}).get_data(as_text=True)
    assert "ត្រូវតែបំពេញវាលនេះ។" in page and "អាសយដ្ឋានអ៊ីមែលមិនត្រឹមត្រូវ។" in page
    assert "This field is required." not in page


def test_signed_in_choice_is_stored_on_the_user_and_persists(app, client, login, km_catalog):
    user = UserFactory(locale="en")
    login(user)
    _switch_language(client, "km")
    assert user.locale == "km"  # the client expires the test's objects, so this is a fresh read

    assert "ទំព័រដើម" in client.get("/").get_data(as_text=True)

    # A new browser has no "lang" in its session: the stored preference alone picks Khmer.
    other = app.test_client()
    response = other.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    page = other.get("/auth/profile").get_data(as_text=True)
    assert "ប្រវត្តិរូបរបស់អ្នក" in page and "Your profile" not in page


def test_unknown_language_is_ignored(client, login, km_catalog):
    response = _switch_language(client, "xx", "/auth/login")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "lang" not in session
    assert "Forgot your password?" in client.get("/auth/login").get_data(as_text=True)

    _switch_language(client, "km")
    _switch_language(client, "fr")
    with client.session_transaction() as session:
        assert session["lang"] == "km"

    user = UserFactory(locale="en")
    login(user)
    _switch_language(client, "../../etc")
    db.session.refresh(user)
    assert user.locale == "en"


# --- formatting per locale


def test_dates_are_formatted_per_locale(app, km_catalog):
    day = date(2026, 3, 1)
    with app.test_request_context():
        with force_locale("en"):
            english = format_date(day, "long")
        with force_locale("km"):
            khmer = format_date(day, "long")
            members = ngettext("%(num)d team member", "%(num)d team members", 3)
    assert english == "March 1, 2026"
    assert khmer != english
    assert "មីនា" in khmer
    assert members == "សមាជិកក្រុម 3 នាក់"  # nplurals=1: msgstr[0] serves every count


@pytest.mark.parametrize(
    ("amount_minor", "currency", "locale", "expected"),
    [
        (123456, "USD", "en", "$1,234.56"),
        (123456, "USD", "km", "1,234.56$"),
        (-50, "USD", "en", "-$0.50"),
        (4100000, "KHR", "en", "41,000\xa0KHR"),
        (4100000, "KHR", "km", "41,000\xa0៛"),
        (None, "KHR", "km", ""),
    ],
)
def test_money_is_formatted_per_locale(amount_minor, currency, locale, expected):
    assert format_money(amount_minor, currency, locale) == expected


def test_emails_render_in_the_recipients_language(app, km_catalog):
    from incubator.notifications.email import queue_email

    application = ApplicationFactory()
    cohort = application.cohort
    with app.test_request_context():
        message = queue_email(
            application.contact_email,
            lazy_gettext("We received your application to %(cohort)s", cohort=cohort.name),
            "application_received",
            locale="km",
            application=application,
            cohort=cohort,
            link="https://incubator.example/apply/status/t",
        )
    assert message.subject == f"យើងបានទទួលពាក្យស្នើសុំរបស់អ្នកសម្រាប់ {cohort.name}"
    for body in (message.body_text, message.body_html):
        assert "ជម្រាបសួរ" in body and "ពិនិត្យ" in body
        assert "Hello," not in body and "Our team will review" not in body
