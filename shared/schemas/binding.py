"""How a node binds its answer to one pull of the hub (DESIGN §6): headers and signed string.

X-Signature proves who wrote a snapshot's bytes, not when they were served: recorded bytes with
their signature stay valid forever, so they could be replayed to make the hub go back to older
figures, and a bare 304 carries nothing to verify at all. So the hub sends a fresh random nonce
with every request, and the node signs, with the same Ed25519 key, the nonce together with its
province, the period and the id of the snapshot it answers with — on the 200 and on the 304.
An answer recorded for another request, province, period or snapshot does not verify.

The signed string starts with its own label, so it can never be mistaken for a snapshot body
(which is JSON and starts with ``{``), and every part has a closed pattern without line breaks,
so the string reads one way only. Cryptography stays with the apps: this module is pure.
"""

from __future__ import annotations

import re
import secrets

# Sent by the hub with every request, retries included: a fresh random nonce.
NONCE_HEADER = "X-Giamngheo-Nonce"
# Sent by the node with the 200 and the 304: base64 of the Ed25519 signature over
# binding_message(nonce, province, period, snapshot id).
BINDING_HEADER = "X-Giamngheo-Binding"
# Sent by the node with the 200 and the 304: the period its answer is for (the snapshot id is the
# ETag), so the hub checks the binding before it reads the body.
PERIOD_HEADER = "X-Giamngheo-Period"
BINDING_LABEL = "giamngheo-pull-v1"
# 32 random bytes, base64url without padding: 43 characters, 256 bits.
NONCE_BYTES = 32
# What a node accepts: base64url, 22 characters (132 bits) at least.
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,128}", re.ASCII)
SNAPSHOT_ID_PATTERN = re.compile(r"[0-9a-f]{64}", re.ASCII)
_PROVINCE_PATTERN = re.compile(r"\d{2}", re.ASCII)


def new_nonce() -> str:
    """A fresh nonce for one request (256 random bits, base64url)."""
    return secrets.token_urlsafe(NONCE_BYTES)


def is_nonce(value: str | None) -> bool:
    """Whether ``value`` has a nonce's form (base64url, at least 128 bits)."""
    return isinstance(value, str) and NONCE_PATTERN.fullmatch(value) is not None


def binding_message(nonce: str, province_code: str, period: int, snapshot_id: str) -> bytes:
    """The bytes a node signs to bind its answer to one pull; raises ValueError on a bad part.

    ``giamngheo-pull-v1\\n{nonce}\\n{province}\\n{period}\\n{snapshot_id}``, ASCII.
    """
    if not is_nonce(nonce):
        raise ValueError("the nonce is not 22 to 128 base64url characters")
    if not isinstance(province_code, str) or not _PROVINCE_PATTERN.fullmatch(province_code):
        raise ValueError("the province code is not two digits")
    if type(period) is not int or not 2000 <= period <= 2100:
        raise ValueError("the period is not a year from 2000 to 2100")
    if not isinstance(snapshot_id, str) or not SNAPSHOT_ID_PATTERN.fullmatch(snapshot_id):
        raise ValueError("the snapshot id is not 64 hexadecimal digits")
    return f"{BINDING_LABEL}\n{nonce}\n{province_code}\n{period}\n{snapshot_id}".encode("ascii")
