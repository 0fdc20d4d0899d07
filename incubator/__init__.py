"""Incubator: a platform that runs a Technology Business Incubator end to end."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import Flask, g, request

from incubator import extensions as ext
from incubator.config import build_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the WSGI application.

    :param overrides: settings applied over the environment's (used by tests and CLI tools).
    :return: the configured Flask app.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_mapping(build_config(app.instance_path, overrides))
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import incubator.models  # noqa: F401  (register every mapper before first use)
    from incubator.core.i18n import select_locale, select_timezone

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    ext.babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "incubator" / "translations"),
    )
    ext.bootstrap.init_app(app)
    ext.limiter.init_app(app)
    from incubator.auth import login as _login_setup  # noqa: F401  (user loader registration)
    from incubator.notifications import email as _email_setup  # noqa: F401  (after-commit delivery)


def register_blueprints(app: Flask) -> None:
    from incubator.api.v1 import api_v1
    from incubator.applications.public_views import bp as apply_bp
    from incubator.applications.views import bp as applications_bp
    from incubator.audit.views import bp as audit_bp
    from incubator.auth.views import bp as auth_bp
    from incubator.billing.views import bp as billing_bp
    from incubator.billing.views.webhook import stripe_webhook
    from incubator.cohorts.views import bp as cohorts_bp
    from incubator.grants.views import bp as grants_bp
    from incubator.home.views import bp as home_bp
    from incubator.jobs.views import bp as jobs_bp
    from incubator.mentoring.views import bp as mentoring_bp
    from incubator.mentoring.views.booking_blueprint import bp as mentor_booking_bp
    from incubator.notifications.inbox_views import bp as inbox_bp
    from incubator.notifications.views import bp as notifications_bp
    from incubator.progress.views import bp as progress_bp
    from incubator.reports.views import bp as reports_bp
    from incubator.resources.views import bp as resources_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(cohorts_bp, url_prefix="/cohorts")
    app.register_blueprint(applications_bp, url_prefix="/review")
    app.register_blueprint(apply_bp, url_prefix="/apply")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(notifications_bp, url_prefix="/outbox")
    app.register_blueprint(progress_bp, url_prefix="/progress")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(mentoring_bp, url_prefix="/mentoring")
    app.register_blueprint(mentor_booking_bp, url_prefix="/mentoring")
    app.register_blueprint(grants_bp, url_prefix="/grants")
    app.register_blueprint(resources_bp, url_prefix="/resources")
    app.register_blueprint(billing_bp, url_prefix="/billing")
    ext.csrf.exempt(stripe_webhook)  # Stripe signs its requests; it cannot send our CSRF token
    app.register_blueprint(inbox_bp, url_prefix="/notifications")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")
    app.register_blueprint(api_v1, url_prefix="/api/v1")
    ext.csrf.exempt(api_v1)


def register_request_hooks(app: Flask) -> None:
    from incubator.ops import init_app as init_ops

    # First, so that its request log runs after every other after_request hook (see incubator/ops).
    init_ops(app)

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming[:64] if incoming.isalnum() else uuid.uuid4().hex

    @app.after_request
    def deliver_mail(response):
        from incubator.notifications.email import deliver_committed

        deliver_committed()
        return response


def register_errorhandlers(app: Flask) -> None:
    from incubator.core.errors import init_error_handlers

    init_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from incubator.core.i18n import init_template_helpers

    init_template_helpers(app)


def register_commands(app: Flask) -> None:
    from incubator.cli import backup_cli, demo_command, jobs_cli, users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(demo_command)
