"""What the hub needs to pull this node: a bearer token the node issued, and a signing key.

The node signs every snapshot with its Ed25519 key; the hub holds only the public key, so a
snapshot the hub stores is provably this node's, unchanged in transit. With the same key it binds
each answer to the hub's request (the nonce the hub sent), so an answer cannot be replayed. The
token is stored hashed; issuing a new one revokes the old (rotation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.snapshots import HubToken
from shared.schemas.binding import binding_message


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_hub_token(session: Session, now: datetime) -> str:
    """A new token for the hub (shown once); every earlier one stops working."""
    for old in session.scalars(select(HubToken).where(HubToken.revoked_at.is_(None))):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    session.add(HubToken(token_hash=_hash(token), created_at=now))
    session.flush()
    return token


def hub_token_valid(session: Session, token: str | None) -> bool:
    """Whether ``token`` is the hub's current token."""
    if not token:
        return False
    digest = _hash(token)
    current = session.scalars(select(HubToken.token_hash).where(HubToken.revoked_at.is_(None)))
    return any(hmac.compare_digest(digest, stored) for stored in current)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The node's signing key from ``path`` (PEM); created there, readable by the owner only,
    the first time."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte public key, base64: what `giamngheo hub register-node` takes."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(key: Ed25519PrivateKey, body: bytes) -> str:
    """The X-Signature header value: base64 of the Ed25519 signature over the exact body."""
    return base64.b64encode(key.sign(body)).decode("ascii")


def bind(
    key: Ed25519PrivateKey, nonce: str, province_code: str, period: int, snapshot_id: str
) -> str:
    """The X-Giamngheo-Binding header value: base64 of the Ed25519 signature over
    ``giamngheo-pull-v1\\n{nonce}\\n{province}\\n{period}\\n{snapshot_id}``."""
    message = binding_message(nonce, province_code, period, snapshot_id)
    return base64.b64encode(key.sign(message)).decode("ascii")
