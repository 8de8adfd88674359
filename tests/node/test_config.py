"""Node configuration from the environment: production refuses to start without real secrets."""

import pytest

from node import create_app
from node.config import DevelopmentConfig, ProductionConfig, TestConfig, load_config
from shared.settings import DEVELOPMENT_SECRET_KEY, ConfigError

SECRET = "s" * 48


def production(**environ):
    return {"GIAMNGHEO_PROVINCE": "01", "GIAMNGHEO_SECRET_KEY": SECRET, **environ}


def test_production_is_the_default_environment():
    assert isinstance(load_config(production()), ProductionConfig)


@pytest.mark.parametrize(
    ("secret", "complaint"),
    [
        (None, "not set"),
        ("", "not set"),
        (DEVELOPMENT_SECRET_KEY, "default"),
        ("too-short", "at least"),
    ],
    ids=["missing", "empty", "default", "short"],
)
def test_production_refuses_a_missing_or_weak_secret(secret, complaint):
    environ = production()
    del environ["GIAMNGHEO_SECRET_KEY"]
    if secret is not None:
        environ["GIAMNGHEO_SECRET_KEY"] = secret

    with pytest.raises(ConfigError, match=complaint):
        load_config(environ)


def test_create_app_refuses_production_without_a_secret(monkeypatch):
    monkeypatch.delenv("GIAMNGHEO_SECRET_KEY", raising=False)
    monkeypatch.delenv("GIAMNGHEO_ENV", raising=False)
    monkeypatch.setenv("GIAMNGHEO_PROVINCE", "01")

    with pytest.raises(ConfigError, match="GIAMNGHEO_SECRET_KEY"):
        create_app()


def test_development_has_a_default_secret_and_plain_http_cookies():
    config = load_config({"GIAMNGHEO_ENV": "development", "GIAMNGHEO_PROVINCE": "79"})

    assert isinstance(config, DevelopmentConfig)
    assert config.SECRET_KEY == DEVELOPMENT_SECRET_KEY
    assert config.SESSION_COOKIE_SECURE is False
    assert config.PROVINCE_CODE == "79"


def test_testing_environment_selects_the_test_config():
    assert isinstance(load_config({"GIAMNGHEO_ENV": "testing"}), TestConfig)


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="GIAMNGHEO_ENV"):
        load_config(production(GIAMNGHEO_ENV="staging"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://u:p@db/giamngheo", "postgresql+psycopg://u:p@db/giamngheo"),
        ("postgres://u@db/giamngheo", "postgresql+psycopg://u@db/giamngheo"),
        ("postgresql+psycopg://u@db/giamngheo", "postgresql+psycopg://u@db/giamngheo"),
        ("sqlite:////var/lib/giamngheo/node.db", "sqlite:////var/lib/giamngheo/node.db"),
    ],
)
def test_postgres_urls_use_psycopg_3(raw, expected):
    url = ProductionConfig(production(GIAMNGHEO_DATABASE_URL=raw)).SQLALCHEMY_DATABASE_URI

    assert url == expected


def test_default_database_is_a_sqlite_file_in_the_instance_folder():
    app = create_app(TestConfig())

    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{app.instance_path}/")


@pytest.mark.parametrize(
    ("code", "complaint"),
    [(None, "not set"), ("1", "two digits"), ("Ha Noi", "two digits"), ("03", "34 provinces")],
)
def test_province_must_be_a_real_two_digit_code(code, complaint):
    environ = production()
    del environ["GIAMNGHEO_PROVINCE"]
    if code is not None:
        environ["GIAMNGHEO_PROVINCE"] = code

    with pytest.raises(ConfigError, match=complaint):
        load_config(environ)


def test_signing_key_file_is_read():
    config = load_config(production(GIAMNGHEO_SIGNING_KEY_FILE="/etc/giamngheo/signing.key"))

    assert config.SIGNING_KEY_FILE == "/etc/giamngheo/signing.key"


@pytest.mark.parametrize("raw", ["1", "0", "-3", "²", "٣", "3.5", "k", "10000001"])
def test_suppression_k_is_a_whole_number_the_snapshot_can_carry(raw):
    with pytest.raises(ConfigError, match="GIAMNGHEO_SUPPRESSION_K"):
        load_config(production(GIAMNGHEO_SUPPRESSION_K=raw))


def test_suppression_k_is_read():
    assert load_config(production(GIAMNGHEO_SUPPRESSION_K="5")).SUPPRESSION_K == 5
