"""The certificate (Mẫu 03) as a printable page with its QR code, and the public page the QR code
opens, which tells anyone holding the paper whether it is genuine and still valid."""

from __future__ import annotations

import segno
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.services.certificates import PRINTERS, certificate_sheet
from node.services.decisions import verify_certificate
from node.web.officials import bp, official

public = Blueprint("certificates", __name__, url_prefix="/certificates")

PAPER_SIZES = ("a4", "a5")
# The verification codes decisions.issue_certificate makes (token_urlsafe(18): 24 characters).
CODE_MAX_LENGTH = 64


def verify_url(code: str) -> str:
    """The public address a certificate's QR code carries."""
    return url_for("certificates.verify", code=code, _external=True)


def qr_svg(text: str) -> str:
    """The QR code as inline SVG: printed with the page, no image file, nothing CSP blocks."""
    return segno.make(text, error="m").svg_inline(
        scale=3, border=2, title=_("QR code to check this certificate")
    )


@bp.get("/applications/<int:application_id>/certificate")
@signed_in(*PRINTERS)
def certificate(application_id: int) -> str:
    """Mẫu 03 ready to print on A4 or A5 (``?size=a5``); the browser prints it to PDF too."""
    sheet = certificate_sheet(db.session, official(), application_id, node_context())
    db.session.commit()  # the audit entry of this read of personal data
    size = request.args.get("size") if request.args.get("size") in PAPER_SIZES else "a4"
    url = verify_url(sheet.verification_code)
    return render_template(
        "officials/certificate.html",
        sheet=sheet,
        size=size,
        verify_url=url,
        qr=qr_svg(url),
        application_id=application_id,
    )


@public.get("/verify/<code>")
def verify(code: str) -> tuple[str, int]:
    """Whether a certificate is genuine and still valid; no names (the paper shows them)."""
    result = verify_certificate(db.session, code) if len(code) <= CODE_MAX_LENGTH else None
    return render_template("officials/certificate_check.html", result=result), (
        200 if result else 404
    )
