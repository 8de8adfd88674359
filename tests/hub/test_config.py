"""Hub configuration from the environment: production refuses to start without real secrets."""

import pytest

from hub import create_app
from hub.config import DevelopmentConfig, ProductionConfig, load_config
from shared.settings import DEVELOPMENT_SECRET_KEY, ConfigError


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({}, "not set"),
        ({"GIAMNGHEO_SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "default"),
        ({"GIAMNGHEO_SECRET_KEY": "too-short"}, "at least"),
    ],
    ids=["missing", "default", "short"],
)
def test_production_refuses_a_missing_or_weak_secret(environ, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load_config(environ)


def test_create_app_refuses_production_without_a_secret(monkeypatch):
    monkeypatch.delenv("GIAMNGHEO_SECRET_KEY", raising=False)
    monkeypatch.delenv("GIAMNGHEO_ENV", raising=False)

    with pytest.raises(ConfigError, match="GIAMNGHEO_SECRET_KEY"):
        create_app()


def test_production_accepts_a_real_secret_and_needs_no_province():
    config = load_config({"GIAMNGHEO_SECRET_KEY": "k" * 40})

    assert isinstance(config, ProductionConfig)
    assert config.SESSION_COOKIE_SECURE is True


def test_development_has_a_default_secret():
    config = load_config({"GIAMNGHEO_ENV": "development"})

    assert isinstance(config, DevelopmentConfig)
    assert config.SECRET_KEY == DEVELOPMENT_SECRET_KEY


def test_plain_postgres_url_is_rewritten_for_psycopg_3():
    config = load_config(
        {"GIAMNGHEO_ENV": "development", "GIAMNGHEO_DATABASE_URL": "postgresql://hub@db/hub"}
    )

    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://hub@db/hub"
