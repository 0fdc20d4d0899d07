"""Access matrix: every route in the URL map, every method, every role (see ``tests/access_cases.py``).

Each (endpoint, method, role) is its own test. Refused requests are also checked to leave the database
exactly as it was. A route added to the app without a matrix entry fails ``test_every_route_is_in_the_matrix``.
The CSRF tests run a second app, built the same way with CSRF protection on.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from incubator import create_app
from incubator.applications.models import Application, ApplicationStatus, ReviewAssignment, ReviewScore, ReviewStatus
from incubator.auth.models import Invitation, Role, User
from incubator.cohorts.models import Startup, StartupStatus, TeamMember
from incubator.config import test_overrides
from incubator.extensions import db
from tests.access_cases import IMPLICIT_METHODS, MATRIX, ROLES, SKIPPED_ENDPOINTS, build_world, cases, is_api
from tests.conftest import FreshContextClient

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Columns that a refused request may legitimately touch: authenticating with a token stamps it.
VOLATILE = {("api_tokens", "last_used_at")}


# The world ----------------------------------------------------------------------------------------


@pytest.fixture
def world(app, pdf_bytes, png_bytes) -> dict:
    return build_world(app, pdf_bytes, png_bytes)


# Helpers -----------------------------------------------------------------------------------------


def build_url(app, endpoint: str, route, world: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {arg: world[route.args.get(arg, arg)] for arg in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)


def snapshot() -> dict:
    """Every row of every table (minus ``VOLATILE`` columns), to prove a refused request wrote nothing."""
    state = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
        order = list(table.primary_key.columns) or columns
        state[table.name] = [tuple(row) for row in db.session.execute(sa.select(*columns).order_by(*order))]
    return state


def send(client, method: str, url: str, endpoint: str, route, headers: dict):
    kwargs: dict = {"headers": dict(headers)}
    if is_api(endpoint):
        if method != "GET":
            if route.multipart:
                kwargs["data"] = route.data or {}
            else:
                kwargs["json"] = route.data or {}
    else:
        kwargs["headers"].setdefault("Accept", BROWSER_ACCEPT)
        if method != "GET":
            kwargs["data"] = route.data or {}
    return client.open(url, method=method, **kwargs)


def assert_json_error(response, status: int, code: str, detail: str) -> None:
    assert response.status_code == status, detail
    assert response.is_json, detail
    body = response.get_json()
    assert set(body) == {"error"}, detail
    assert set(body["error"]) == {"code", "message", "fields"}, detail
    assert body["error"]["code"] == code, detail
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], detail
    assert isinstance(body["error"]["fields"], dict), detail


def assert_login_redirect(response, url: str, detail: str) -> None:
    assert response.status_code == 302, detail
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login", detail
    assert parse_qs(location.query).get("next") == [url], detail


def sign_in(client, login, api_token, world: dict, role: str, api: bool) -> dict:
    """Authenticate as ``role``: a bearer header for the API, a session cookie for the web."""
    if role == "anonymous":
        return {}
    user = world["users"][role]
    if api:
        return api_token(user)
    login(user)
    return {}


def describe(response, method: str, url: str, role: str) -> str:
    body = response.get_data()[:400].decode("utf-8", "replace") if not response.is_streamed else "<stream>"
    return f"{method} {url} as {role} -> {response.status_code}: {body!r}"


# The route inventory ---------------------------------------------------------------------------


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS
        for method in rule.methods - IMPLICIT_METHODS
    }
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without an access-matrix entry in tests/access_cases.py: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_matrix_names_only_known_roles():
    for key, route in MATRIX.items():
        assert route.allow <= set(ROLES), key


# The matrix ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "method", "role"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{case[2]}") for case in cases()],
)
def test_access(app, client, login, api_token, world, endpoint, method, role):
    route = MATRIX[(endpoint, method)]
    api = is_api(endpoint)
    url = build_url(app, endpoint, route, world)
    headers = sign_in(client, login, api_token, world, role, api)
    allowed = role in route.allow
    before = None if allowed else snapshot()

    response = send(client, method, url, endpoint, route, headers)
    detail = describe(response, method, url, role)

    if allowed:
        assert response.status_code != 403, detail
        assert response.status_code < 500, detail
        assert response.status_code in route.ok, detail
        if api:
            assert response.is_json, detail
        return
    if role == "anonymous":
        if api:
            assert_json_error(response, 401, "unauthorized", detail)
            assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), detail
        else:
            assert_login_redirect(response, url, detail)
    elif api:
        assert_json_error(response, route.denied, "forbidden" if route.denied == 403 else "not_found", detail)
    else:
        assert response.status_code == route.denied, detail
    assert snapshot() == before, f"a refused request changed the database: {detail}"


# Refusals with real payloads change nothing ------------------------------------------------------

STARTUP_FORM = {"name": "Hijacked", "sector": "agritech", "stage": "prototype", "province": "phnom_penh",
                "description": "", "website": ""}


def _startup(world) -> Startup:
    db.session.expire_all()
    return db.session.get(Startup, world["startup_id"])


def test_other_founder_cannot_edit_startup_on_the_web(client, login, world):
    login(world["users"]["other_founder"])
    response = client.post(f"/cohorts/startups/{world['startup_id']}/edit", data=STARTUP_FORM)
    assert response.status_code == 403
    assert _startup(world).name == "Kampot Cold Chain"


def test_other_founder_cannot_edit_startup_through_the_api(client, api_token, world):
    headers = api_token(world["users"]["other_founder"])
    response = client.patch(f"/api/v1/startups/{world['startup_id']}", json={"name": "Hijacked"}, headers=headers)
    assert_json_error(response, 403, "forbidden", response.get_data(as_text=True))
    assert _startup(world).name == "Kampot Cold Chain"


def test_founder_cannot_change_own_startup_status_through_the_api(client, api_token, world):
    headers = api_token(world["users"]["founder"])
    response = client.patch(f"/api/v1/startups/{world['startup_id']}",
                            json={"name": "Renamed", "status": "withdrawn"}, headers=headers)
    assert_json_error(response, 403, "forbidden", response.get_data(as_text=True))
    startup = _startup(world)
    assert (startup.name, startup.status) == ("Kampot Cold Chain", StartupStatus.ACTIVE)


def test_founder_status_field_is_ignored_on_the_web(client, login, world):
    login(world["users"]["founder"])
    response = client.post(f"/cohorts/startups/{world['startup_id']}/edit",
                           data=STARTUP_FORM | {"name": "Kampot Cold Chain Co", "status": "withdrawn"})
    assert response.status_code in (200, 302)
    assert _startup(world).status == StartupStatus.ACTIVE


def test_investor_cannot_add_a_team_member(client, login, world):
    login(world["users"]["investor"])
    count = db.session.scalar(sa.select(sa.func.count()).select_from(TeamMember))
    response = client.post(f"/cohorts/startups/{world['startup_id']}/members",
                           data={"name": "Mole", "role_title": "CTO", "gender": "undisclosed"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamMember)) == count


def test_non_admin_manager_cannot_change_access(client, login, world):
    login(world["users"]["manager"])
    investor_id = world["user_id"]
    response = client.post(f"/auth/people/{investor_id}", data={"role": "manager", "is_admin": "y", "is_active": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    investor = db.session.get(User, investor_id)
    assert (investor.role, investor.is_admin) == (Role.INVESTOR, False)


@pytest.mark.parametrize("action", ["revoke", "resend"])
def test_non_admin_manager_cannot_touch_a_manager_invitation(client, login, world, action):
    invitation = world["manager_invitation"]
    nonce = invitation.token_nonce
    login(world["users"]["manager"])
    response = client.post(f"/auth/invitations/{invitation.id}/{action}")
    assert response.status_code == 403
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    assert (invitation.revoked_at, invitation.token_nonce) == (None, nonce)


def test_non_admin_manager_cannot_invite_a_manager(client, login, world):
    login(world["users"]["manager"])
    response = client.post("/auth/people/invite", data={"email": "boss@example.org", "role": "manager",
                                                        "startup_id": "0"})
    assert response.status_code in (200, 403, 422)
    assert db.session.scalar(sa.select(Invitation).where(Invitation.email == "boss@example.org")) is None


def _score_form(world) -> dict:
    criteria = world["application"].cohort.criteria
    return {f"score_{c.id}": "5" for c in criteria} | {"comment": "Brilliant."}


def test_unassigned_mentor_cannot_submit_a_review(client, login, world):
    login(world["users"]["other_mentor"])
    response = client.post(f"/review/assignments/{world['assignment_id']}", data=_score_form(world))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, world["assignment_id"]).status == ReviewStatus.PENDING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 0


@pytest.mark.parametrize("role", ["manager", "other_mentor", "founder"])
def test_only_the_assigned_reviewer_can_review_through_the_api(client, api_token, world, role):
    scores = {str(c.id): 5 for c in world["application"].cohort.criteria}
    response = client.post(f"/api/v1/applications/{world['application_id']}/reviews",
                           json={"scores": scores, "comment": "x"}, headers=api_token(world["users"][role]))
    assert_json_error(response, 403, "forbidden", response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 0


@pytest.mark.parametrize("role", ["mentor", "founder", "investor"])
def test_only_managers_decide(client, login, api_token, world, role):
    user = world["users"][role]
    login(user)
    web = client.post(f"/review/applications/{world['application_id']}/decision", data={"decision": "accepted"})
    api = client.post(f"/api/v1/applications/{world['application_id']}/decision", json={"decision": "accepted"},
                      headers=api_token(user))
    assert web.status_code == 403
    assert_json_error(api, 403, "forbidden", api.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Application, world["application_id"]).status == ApplicationStatus.SUBMITTED
    assert db.session.scalar(sa.select(Startup).where(Startup.application_id == world["application_id"])) is None


def test_conflicted_mentor_loses_access_to_the_application(client, login, api_token, world):
    assignment = db.session.get(ReviewAssignment, world["assignment_id"])
    assignment.status = ReviewStatus.CONFLICT
    db.session.commit()
    mentor = world["users"]["mentor"]
    login(mentor)
    application_id = world["application_id"]
    for url in (f"/review/applications/{application_id}", f"/review/applications/{application_id}/deck",
                f"/review/assignments/{assignment.id}"):
        assert client.get(url).status_code == 403, url
    response = client.get(f"/api/v1/applications/{application_id}", headers=api_token(mentor))
    assert_json_error(response, 403, "forbidden", response.get_data(as_text=True))


@pytest.mark.parametrize("new_role", [Role.INVESTOR, Role.FOUNDER])
def test_reviewer_who_is_no_longer_a_mentor_loses_access(client, login, api_token, world, new_role):
    # Only managers and mentors can be assigned (can_be_reviewer); an assignment left over from before
    # an admin changed the account's role must not keep confidential applications open to it.
    mentor = world["users"]["mentor"]
    mentor.role = new_role
    db.session.commit()
    login(mentor)
    application_id, assignment_id = world["application_id"], world["assignment_id"]
    got = {url: client.get(url).status_code
           for url in (f"/review/applications/{application_id}", f"/review/applications/{application_id}/deck",
                       f"/review/assignments/{assignment_id}")}
    got["POST review"] = client.post(f"/review/assignments/{assignment_id}", data=_score_form(world)).status_code
    got["API get"] = client.get(f"/api/v1/applications/{application_id}", headers=api_token(mentor)).status_code
    assert got == dict.fromkeys(got, 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewScore)) == 0


def test_team_member_of_another_startup_cannot_be_removed_through_own_startup(client, login, world):
    other_member = db.session.scalar(sa.select(TeamMember).where(TeamMember.startup_id != world["startup_id"]))
    other_startup_id = other_member.startup_id
    login(world["users"]["founder"])
    response = client.post(f"/cohorts/startups/{world['startup_id']}/members/{other_member.id}/delete")
    assert response.status_code == 404
    response = client.post(f"/cohorts/startups/{other_startup_id}/members/{other_member.id}/delete")
    assert response.status_code == 403
    assert db.session.get(TeamMember, other_member.id) is not None


def test_anonymous_cannot_change_a_cohort_status(client, world):
    before = snapshot()
    response = client.post(f"/cohorts/{world['cohort_id']}/status", data={"status": "planning"})
    assert_login_redirect(response, f"/cohorts/{world['cohort_id']}/status", response.get_data(as_text=True))
    assert snapshot() == before


# CSRF: web forms need a token, the token-authenticated API does not ----------------------------


@pytest.fixture(scope="module")
def csrf_app(app, tmp_path_factory):
    overrides = test_overrides(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path_factory.mktemp("csrf")))
    overrides.update(WTF_CSRF_ENABLED=True, UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"])
    second = create_app(overrides)
    second.test_client_class = FreshContextClient
    assert second.config["WTF_CSRF_ENABLED"] is True
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


def _csrf_token(client, url: str = "/auth/login") -> str:
    html = client.get(url).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, f"no csrf_token field on {url}"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def _csrf_login(client, user) -> None:
    token = _csrf_token(client)
    response = client.post("/auth/login", data={"email": user.email, "password": "correct-horse-battery",
                                                 "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _first_signed_in(route) -> str:
    return next(role for role in ROLES if role != "anonymous" and role in route.allow)


WEB_WRITES = [key for key in MATRIX if not is_api(key[0]) and key[1] != "GET"]
API_WRITES = [key for key in MATRIX if is_api(key[0]) and key[1] != "GET"]


def test_anonymous_web_post_without_csrf_token_is_refused(csrf_client, world):
    response = csrf_client.post("/auth/login", data={"email": "x@example.org", "password": "whatever"})
    assert response.status_code == 400


@pytest.mark.parametrize(("endpoint", "method"), [pytest.param(*k, id=f"{k[0]}-{k[1]}") for k in WEB_WRITES])
def test_web_write_without_csrf_token_is_refused(csrf_app, csrf_client, world, endpoint, method):
    route = MATRIX[(endpoint, method)]
    _csrf_login(csrf_client, world["users"][_first_signed_in(route)])
    url = build_url(csrf_app, endpoint, route, world)
    before = snapshot()
    response = send(csrf_client, method, url, endpoint, route, {})
    assert response.status_code == 400, describe(response, method, url, "csrf")
    assert snapshot() == before


def test_web_write_with_csrf_token_goes_through(csrf_client, world):
    _csrf_login(csrf_client, world["users"]["founder"])
    url = f"/cohorts/startups/{world['startup_id']}/edit"
    token = _csrf_token(csrf_client, url)
    response = csrf_client.post(url, data=STARTUP_FORM | {"name": "Kampot Cold Chain Co", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _startup(world).name == "Kampot Cold Chain Co"


@pytest.mark.parametrize(("endpoint", "method"), [pytest.param(*k, id=f"{k[0]}-{k[1]}") for k in API_WRITES])
def test_api_write_is_csrf_exempt(csrf_app, csrf_client, api_token, world, endpoint, method):
    route = MATRIX[(endpoint, method)]
    headers = api_token(world["users"][_first_signed_in(route)])
    url = build_url(csrf_app, endpoint, route, world)
    response = send(csrf_client, method, url, endpoint, route, headers)
    assert response.status_code in route.ok and response.status_code != 400, describe(response, method, url, "csrf")
    assert response.is_json


def test_api_ignores_the_session_cookie_even_without_csrf(csrf_client, world):
    _csrf_login(csrf_client, world["users"]["manager"])
    response = csrf_client.patch(f"/api/v1/startups/{world['startup_id']}", json={"name": "Cookie"})
    assert_json_error(response, 401, "unauthorized", response.get_data(as_text=True))
    assert _startup(world).name == "Kampot Cold Chain"
