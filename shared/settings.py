"""Reading the GIAMNGHEO_* environment: the checks both apps' configurations share."""

from __future__ import annotations

import re
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network

from shared.units import UnknownUnit, province

ENVIRONMENTS = ("production", "development", "testing")
MIN_SECRET_LENGTH = 32
# Known defaults, published in the source; production refuses them.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105
TEST_SECRET_KEY = "test"  # noqa: S105
KNOWN_DEFAULT_SECRETS = frozenset({DEVELOPMENT_SECRET_KEY, TEST_SECRET_KEY})
_POSTGRES_PREFIXES = ("postgres://", "postgresql://")
_PROVINCE_CODE = re.compile(r"[0-9]{2}")


class ConfigError(RuntimeError):
    """A setting in the environment is missing or invalid; the message says which and why."""


def environment(environ: Mapping[str, str]) -> str:
    """The GIAMNGHEO_ENV name; production when unset, so a forgotten variable is never lax."""
    name = environ.get("GIAMNGHEO_ENV", "").strip() or "production"
    if name not in ENVIRONMENTS:
        raise ConfigError(f"GIAMNGHEO_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    return name


def database_url(raw: str | None) -> str | None:
    """The SQLAlchemy URL, with plain PostgreSQL URLs rewritten to use psycopg 3."""
    if not raw or not raw.strip():
        return None
    url = raw.strip()
    for prefix in _POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def secret_key(raw: str | None, *, default: str | None) -> str:
    """The session secret; with no default (production) it must be set, long and not a known one."""
    if not raw:
        if default is not None:
            return default
        raise ConfigError(
            "GIAMNGHEO_SECRET_KEY is not set; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    if default is None and raw in KNOWN_DEFAULT_SECRETS:
        raise ConfigError("GIAMNGHEO_SECRET_KEY is a default from the source code; set a real one")
    if default is None and len(raw) < MIN_SECRET_LENGTH:
        raise ConfigError(f"GIAMNGHEO_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
    return raw


def trusted_proxies(raw: str | None) -> int:
    """How many reverse proxies stand in front of the app; 0 (unset) trusts no forwarded header."""
    value = (raw or "").strip()
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(
            "GIAMNGHEO_TRUSTED_PROXIES must be the number of reverse proxies in front of the app "
            f"(0 for none, 1 behind the nginx the playbooks set up), not {value!r}"
        )
    return int(value)


def province_code(raw: str | None) -> str:
    """A validated two-digit province code, e.g. ``01`` for Hà Nội."""
    code = (raw or "").strip()
    if not code:
        raise ConfigError(
            "GIAMNGHEO_PROVINCE is not set; give the two-digit province code, e.g. 01"
        )
    if not _PROVINCE_CODE.fullmatch(code):
        raise ConfigError(f"GIAMNGHEO_PROVINCE must be two digits, e.g. 01, not {code!r}")
    try:
        province(code)
    except UnknownUnit:
        raise ConfigError(f"GIAMNGHEO_PROVINCE {code!r} is not one of the 34 provinces") from None
    return code


# Who may read /metrics when GIAMNGHEO_METRICS_ALLOW is unset: this host only.
DEFAULT_METRICS_ALLOW = "127.0.0.0/8, ::1"


def metrics_allow(raw: str | None) -> tuple[IPv4Network | IPv6Network, ...]:
    """The networks whose clients may read /metrics: addresses or CIDR networks, separated by
    commas or spaces; unset means loopback only, ``none`` nobody."""
    value = (raw or "").strip() or DEFAULT_METRICS_ALLOW
    if value.lower() == "none":
        return ()
    networks = []
    for item in value.replace(",", " ").split():
        try:
            networks.append(ip_network(item, strict=True))
        except ValueError:
            raise ConfigError(
                "GIAMNGHEO_METRICS_ALLOW must list IP addresses or networks (e.g. "
                f"'127.0.0.1, 10.20.0.0/24'), or be 'none'; {item!r} is neither"
            ) from None
    return tuple(networks)


def switch(name: str, raw: str | None, *, default: bool) -> bool:
    """A yes/no setting: 1, true, yes, on or 0, false, no, off (any case); unset is ``default``."""
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1 or 0 (on or off), not {raw!r}")
