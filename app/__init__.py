"""Vertskap: the application factory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

import app.models  # noqa: F401 -- registers every table with the metadata
import config
from app.action_programme.views import bp as action_programme_bp
from app.api.token_views import bp as api_tokens_bp
from app.api.views import bp as api_bp
from app.auth.services import load_user_from_session
from app.auth.views import bp as auth_bp
from app.calendar.event_views import bp as events_bp
from app.calendar.moderation_views import bp as moderation_bp
from app.calendar.submission_views import bp as submissions_bp
from app.calendar.views import bp as calendar_bp
from app.cli import local_base_url, register_commands
from app.core.errors import register_error_handlers
from app.core.i18n import select_locale, select_timezone
from app.core.inputs import install_input_filters
from app.core.logging import configure_logging
from app.core.security import (
    refuse_untrusted_host,
    robots_txt,
    set_privacy_headers,
    set_transport_security,
    trusted_hosts,
)
from app.core.sessions import SessionlessPaths
from app.core.templating import register_template_helpers
from app.delegations.checklists.views import bp as checklists_bp
from app.delegations.followups.views import bp as followups_bp
from app.delegations.interests.views import bp as interests_bp
from app.delegations.participants.views import bp as participants_bp
from app.delegations.planner.views import bp as planner_bp
from app.delegations.programme.views import bp as programme_bp
from app.delegations.views import bp as delegations_bp
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.feeds.lane import PREFIX as FEEDS_PREFIX
from app.feeds.lane import install_feed_lane
from app.feeds.subscribe_views import bp as subscribe_bp
from app.feeds.views import bp as feeds_bp
from app.notifications.views import bp as notifications_bp
from app.outbox.views import bp as outbox_bp
from app.reports.annual_views import bp as annual_report_bp
from app.reports.export_views import bp as exports_bp
from app.widget.views import PREFIX as WIDGET_PREFIX
from app.widget.views import bp as widget_bp

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The app was asked to start without settings it cannot do without."""


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults from config.Config, then the environment, then `overrides`."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "app" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    _load_config(app, overrides or {})
    if not app.config["TESTING"]:
        configure_logging()
    _check_required_settings(app)
    _derive_settings(app)
    # The feed lane reads REMOTE_ADDR for its limits: the proxy fix wraps it.
    install_feed_lane(app)
    app.session_interface = SessionlessPaths((FEEDS_PREFIX, WIDGET_PREFIX))
    _configure_proxy(app)
    _configure_database(app)
    _configure_extensions(app)
    _configure_i18n(app)
    _configure_security(app)
    # Before the blueprints: their rules take the converters it installs.
    install_input_filters(app)
    _configure_blueprints(app)
    _configure_errors(app)
    _configure_templates(app)
    _configure_cli(app)
    return app


def _coerce(default: Any, raw: str) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def _load_config(app: Flask, overrides: Mapping[str, Any]) -> None:
    for name in dir(config.Config):
        if not name.isupper():
            continue
        default = getattr(config.Config, name)
        app.config[name] = (
            _coerce(default, os.environ[name]) if name in os.environ else default
        )
    app.config.update(overrides)
    app.config["TESTING"] = (
        app.config.get("TESTING", False) or app.config["VERTSKAP_ENV"] == "testing"
    )


def _derive_settings(app: Flask) -> None:
    env = app.config["VERTSKAP_ENV"]
    if not app.config["SECRET_KEY"] and env == "development":
        app.config["SECRET_KEY"] = _development_secret_key(Path(app.instance_path))
    # Without one, links point where `flask serve` listens (HOST and PORT).
    base = app.config["PUBLIC_BASE_URL"] or local_base_url(
        app.config["HOST"], app.config["PORT"]
    )
    app.config["PUBLIC_BASE_URL"] = base.rstrip("/")
    #: Host part of every calendar UID and Message-ID (STYLE.md section 6).
    app.config["UID_DOMAIN"] = urlsplit(base).hostname or "vertskap.localhost"
    app.config["MAIL_FROM"] = (
        app.config["MAIL_FROM"] or f"vertskap@{app.config['UID_DOMAIN']}"
    )
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = base.startswith("https://")
    app.config["TRUSTED_HOSTS"] = trusted_hosts(
        app.config["TRUSTED_HOSTS"], base_url=base, env=env
    )
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        hours=app.config["SESSION_HOURS"]
    )
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # the token lives as long as the session
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024


def _development_secret_key(instance: Path) -> str:
    """Keep one random key per development checkout, so restarts keep sessions."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "development-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _check_required_settings(app: Flask) -> None:
    if app.config["VERTSKAP_ENV"] in {"development", "testing"}:
        return
    missing = [
        name
        for name in config.REQUIRED_IN_PRODUCTION
        if not str(app.config.get(name) or "").strip()
    ]
    if (
        app.config["SECRET_KEY"] in config.PLACEHOLDER_SECRETS
        or len(app.config["SECRET_KEY"]) < 32
    ):
        missing.append("SECRET_KEY (at least 32 random characters)")
    if missing:
        raise ConfigurationError(
            "Vertskap refuses to start in production without: "
            + ", ".join(dict.fromkeys(missing))
            + ". Set them in the environment, or VERTSKAP_ENV=development for a local run."
        )


def database_url(raw: str, instance_path: str) -> str:
    """Return the SQLAlchemy URL for DATABASE_URL, defaulting to SQLite in instance/."""
    if not raw:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'vertskap.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


def _configure_proxy(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _configure_database(app: Flask) -> None:
    url = database_url(app.config["DATABASE_URL"], app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if url.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys and wait for locks instead of failing."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def _configure_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    login_manager.user_loader(load_user_from_session)


def _configure_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "translations"),
        default_locale=app.config["DEFAULT_LOCALE"],
        default_timezone=app.config["TIMEZONE"],
    )


#: Content security policy: no inline script or style, no framing, forms post here only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _configure_security(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Any) -> Any:
        headers = response.headers
        policy = CONTENT_SECURITY_POLICY
        if nonce := g.get("csp_style_nonce"):
            # A page that asked for it (the calendar: FullCalendar writes its
            # rules into one <style> element) lets that element through, and
            # the icon font those rules embed as a data: URL.
            policy = policy.replace(
                "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
            ).replace("font-src 'self'", "font-src 'self' data:")
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not g.get("allow_framing"):
            # Only the widget (app.widget) may be framed, by any site.
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if getattr(g, "no_store", False):
            headers["Cache-Control"] = "no-store"
        set_privacy_headers(response)
        set_transport_security(response)
        return response

    app.add_url_rule("/robots.txt", "robots_txt", robots_txt)
    app.register_error_handler(SecurityError, refuse_untrusted_host)


def _configure_blueprints(app: Flask) -> None:
    app.register_blueprint(auth_bp)
    app.register_blueprint(action_programme_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(subscribe_bp)
    app.register_blueprint(widget_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(annual_report_bp)
    for blueprint in (
        delegations_bp,
        programme_bp,
        planner_bp,
        checklists_bp,
        participants_bp,
        followups_bp,
        interests_bp,
    ):
        app.register_blueprint(blueprint)


def _configure_errors(app: Flask) -> None:
    register_error_handlers(app)


def _configure_templates(app: Flask) -> None:
    register_template_helpers(app)


def _configure_cli(app: Flask) -> None:
    register_commands(app)
