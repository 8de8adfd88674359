"""What every response of either app must carry (issue 7), checked alike for the node and the
hub by their test_security_headers.py."""

from __future__ import annotations

ONE_YEAR = 365 * 24 * 3600


def assert_security_headers(response, *, production: bool = False) -> None:
    """CSP without inline script or other hosts, no sniffing or framing, same-origin referrers;
    HSTS in production only (elsewhere it would pin a developer's localhost to HTTPS)."""
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if production:
        assert response.headers["Strict-Transport-Security"].startswith(f"max-age={ONE_YEAR}")
    else:
        assert "Strict-Transport-Security" not in response.headers


def assert_host_only_session_cookie(response, name: str) -> None:
    """The session cookie is ``__Host-`` prefixed, HTTPS-only, out of scripts' reach, sent on
    same-site requests only, for this exact host."""
    assert name.startswith("__Host-")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{name}="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in session_cookie, flag
    assert "Domain" not in session_cookie
