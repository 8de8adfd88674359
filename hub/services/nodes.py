"""The node registry: register or update a node, keep its token secret, report its freshness."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models.nodes import SUCCESSES, Node
from hub.services.accounts import as_utc
from hub.services.errors import ValidationFailed
from shared import units

logger = logging.getLogger(__name__)

MIN_INTERVAL_MINUTES = 1
MAX_INTERVAL_MINUTES = 7 * 24 * 60
TOKEN_PATTERN = re.compile(r"[\x21-\x7e]{16,500}")
_KEY_INFO = b"giamngheo hub: node tokens at rest"


class TokenUnreadable(RuntimeError):
    """A stored node token does not decrypt: the hub's secret changed, or it predates it."""


class TokenCipher:
    """Encrypts node tokens at rest with a key derived from the hub's secret (Fernet)."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, token: str) -> str:
        """The token, encrypted and authenticated."""
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token back; raises TokenUnreadable."""
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            raise TokenUnreadable(
                "The stored token cannot be decrypted (the hub's secret key changed?); "
                "register the node again with a new token from `giamngheo node hub-credentials`."
            ) from None


@dataclass(frozen=True)
class NodeStatus:
    """What the freshness board shows of one province, registered or not."""

    province_code: str
    province_name: str
    registered: bool
    url: str | None = None
    enabled: bool = False
    interval_seconds: int | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_status: str = "missing"
    last_http_status: int | None = None
    last_error: str | None = None
    stale: bool = True

    @property
    def online(self) -> bool:
        """A registered node with a recent successful pull."""
        return self.registered and self.last_success_at is not None and not self.stale


def parse_public_key(value: str) -> str:
    """The base64 of a raw 32-byte Ed25519 public key, checked; raises ValueError."""
    text = (value or "").strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, this is {len(raw)}")
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ValueError("not an Ed25519 public key") from None
    return base64.b64encode(raw).decode("ascii")


def check_url(value: str) -> str:
    """The node's base URL with one trailing slash; raises ValueError unless http(s) with a host."""
    url = (value or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must not carry credentials, a query or a fragment")
    if len(url) > 490:
        raise ValueError("at most 490 characters")
    return url.rstrip("/") + "/"


def register_node(
    session: Session,
    cipher: TokenCipher,
    *,
    province_code: str,
    url: str,
    token: str | None,
    public_key: str | None,
    interval_minutes: int | None = None,
    enabled: bool | None = None,
) -> tuple[Node, bool]:
    """Add a node, or update the registered one of this province; returns (node, created).

    Raises ValidationFailed naming every bad field; nothing is written then. Updating may leave
    token and key out to keep the registered ones.
    """
    code = (province_code or "").strip()
    errors: dict[str, str] = {}
    if not units.is_province_code(code):
        errors["province"] = f"{code!r} is not one of the 34 province codes (two digits, e.g. 01)."
    node = None if errors else session.scalar(select(Node).where(Node.province_code == code))
    try:
        url = check_url(url)
    except ValueError as error:
        errors["url"] = f"The URL {error}."
    public_key = _check_credentials(token, public_key, node is None, errors)
    if interval_minutes is not None and not (
        MIN_INTERVAL_MINUTES <= interval_minutes <= MAX_INTERVAL_MINUTES
    ):
        errors["interval"] = f"Between {MIN_INTERVAL_MINUTES} and {MAX_INTERVAL_MINUTES} minutes."
    if errors:
        raise ValidationFailed("The node cannot be registered.", errors)

    created = node is None
    if node is None:
        node = Node(province_code=code)
        session.add(node)
    if created or url != node.url:
        # Another server (or the same one moved) may serve other snapshots: ask afresh.
        node.last_snapshot_id = None
    node.url = url
    if token is not None:
        node.token_encrypted = cipher.encrypt(token.strip())
    if public_key is not None:
        node.public_key = public_key
    if interval_minutes is not None:
        node.interval_seconds = interval_minutes * 60
    if enabled is not None:
        node.enabled = enabled
    session.flush()
    logger.info("%s node %s at %s", "Registered" if created else "Updated", code, url)
    return node, created


def _check_credentials(
    token: str | None, public_key: str | None, new: bool, errors: dict[str, str]
) -> str | None:
    """The public key, parsed; a bad token or key, or a new node's missing one, into ``errors``."""
    if token is not None and not TOKEN_PATTERN.fullmatch(token.strip()):
        errors["token"] = "16 to 500 printable characters without spaces."  # noqa: S105
    elif token is None and new:
        errors["token"] = "Required for a new node."  # noqa: S105
    if public_key is not None:
        try:
            public_key = parse_public_key(public_key)
        except ValueError as error:
            errors["public_key"] = f"Not a valid Ed25519 public key: {error}."
    elif new:
        errors["public_key"] = "Required for a new node."
    return public_key


def is_stale(node: Node, now: datetime, stale_factor: int) -> bool:
    """Whether the node's last success is older than its interval × stale_factor (or never)."""
    if node.last_success_at is None:
        return True
    age = as_utc(now) - as_utc(node.last_success_at)
    return age > timedelta(seconds=node.interval_seconds * stale_factor)


def node_statuses(session: Session, *, now: datetime, stale_factor: int) -> list[NodeStatus]:
    """Every one of the 34 provinces with its node's state; unregistered ones are ``missing``."""
    nodes = {node.province_code: node for node in session.scalars(select(Node))}
    statuses = []
    for province in units.provinces():
        node = nodes.get(province.code)
        if node is None:
            statuses.append(NodeStatus(province.code, province.name, registered=False))
            continue
        statuses.append(
            NodeStatus(
                province_code=province.code,
                province_name=province.name,
                registered=True,
                url=node.url,
                enabled=node.enabled,
                interval_seconds=node.interval_seconds,
                last_attempt_at=_aware(node.last_attempt_at),
                last_success_at=_aware(node.last_success_at),
                last_status=node.last_outcome or "never",
                last_http_status=node.last_http_status,
                last_error=node.last_error if node.last_outcome not in SUCCESSES else None,
                stale=is_stale(node, now, stale_factor),
            )
        )
    return statuses


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
