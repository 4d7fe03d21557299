import pytest

from app import ConfigurationError, create_app, database_url

pytestmark = pytest.mark.unit

PRODUCTION = {
    "VERTSKAP_ENV": "production",
    "SECRET_KEY": "k" * 40,
    "DATABASE_URL": "postgresql://vertskap@db.example.org/vertskap",
    "MAIL_FROM": "vertskap@example.org",
    "PUBLIC_BASE_URL": "https://vertskap.example.org",
}


def test_production_app_starts_with_every_required_setting():
    app = create_app(PRODUCTION)

    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://vertskap@db.example.org/vertskap"
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["UID_DOMAIN"] == "vertskap.example.org"


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "MAIL_FROM", "PUBLIC_BASE_URL"]
)
def test_production_app_refuses_to_start_without_a_required_setting(missing):
    settings = {**PRODUCTION, missing: ""}

    with pytest.raises(ConfigurationError, match=missing):
        create_app(settings)


@pytest.mark.parametrize("secret", ["dev", "change-me", "short-secret"])
def test_production_app_refuses_a_placeholder_or_short_secret_key(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({**PRODUCTION, "SECRET_KEY": secret})


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Kolkata")
    monkeypatch.setenv("PAGE_SIZE", "7")

    app = create_app(PRODUCTION)

    assert app.config["TIMEZONE"] == "Asia/Kolkata"
    assert app.config["PAGE_SIZE"] == 7


def test_overrides_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Kolkata")

    app = create_app({**PRODUCTION, "TIMEZONE": "Europe/Oslo"})

    assert app.config["TIMEZONE"] == "Europe/Oslo"


def test_development_app_makes_and_keeps_its_own_secret_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = create_app({"VERTSKAP_ENV": "development", "DATABASE_URL": "sqlite://"})
    second = create_app({"VERTSKAP_ENV": "development", "DATABASE_URL": "sqlite://"})

    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("sqlite:////srv/vertskap.db", "sqlite:////srv/vertskap.db"),
    ],
)
def test_database_url_selects_psycopg_for_postgresql(raw, expected):
    assert database_url(raw, "/unused") == expected


def test_database_url_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert database_url("", str(tmp_path)) == f"sqlite:///{tmp_path / 'vertskap.db'}"
