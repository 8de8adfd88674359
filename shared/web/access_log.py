"""gunicorn's access log without personal data (DESIGN §5, issue 12): one line per request with
the path but never its query string, an applicant's tracking code in the path masked, and no
Referer, cookie or other header.

A query string may carry what a careless client put there (a phone, an ID number, an
official's search for a citizen ID), and the applicant's routes carry the tracking code in the
path (`/api/v1/applications/<tracking_code>/lookup`); a line that kept either would make the
log a list of working code and proof pairs. The nginx role writes its log the same way
(ansible/roles/nginx/templates/site.conf.j2, ``log_format``); the deploy test reads both after
real lookups. ansible/roles/app's gunicorn.conf.py names ``AccessLogger`` as gunicorn's
``logger_class``.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# Paths that name an applicant's file, and what the log writes instead. An official's file is
# /api/v1/applications/<number> and stays (tracking codes are never all digits).
PRIVATE_PATHS = (
    (
        re.compile(r"^/api/v1/applications/(?![0-9]+(?:/|$))[^/]+", re.IGNORECASE),
        "/api/v1/applications/<code>",
    ),
    (re.compile(r"^/certificates/verify/[^/]+", re.IGNORECASE), "/certificates/verify/<code>"),
)
_SLASHES = re.compile(r"/{2,}")
_UNPRINTABLE = re.compile(r'[\x00-\x1f\x7f-\x9f"\\]')
# One line per request: client, request line (method, private path, protocol), status, bytes,
# milliseconds, user agent.
FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def loggable_path(path: str) -> str:
    """The path as the log may hold it: no query string or fragment, slashes merged (as the
    router merges them), an applicant's code masked, unprintable characters escaped."""
    path = _SLASHES.sub("/", path.split("?", 1)[0].split("#", 1)[0]) or "/"
    for pattern, replacement in PRIVATE_PATHS:
        path = pattern.sub(replacement, path)
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", path)


class AccessLogger(Logger):
    """gunicorn's logger, with access-log atoms that hold no personal data.

    ``%(r)s`` is the method, the loggable path (from PATH_INFO: decoded, as routed) and the
    protocol; ``%(U)s`` the loggable path; ``%(q)s`` and ``%(f)s`` (query string, Referer) are
    never filled in, and neither is any header, environ or response-header atom (``%({…}i)s``
    and the like): a format naming one writes "-".
    """

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        """The atoms a format may name, without the personal ones."""
        atoms = super().atoms(resp, req, environ, request_time)
        path = loggable_path(environ.get("PATH_INFO") or "/")
        method = environ.get("REQUEST_METHOD", "-")
        atoms = {name: value for name, value in atoms.items() if not name.startswith("{")}
        atoms.update(
            r=f"{method} {path} {environ.get('SERVER_PROTOCOL', '-')}", U=path, q="-", f="-"
        )
        return atoms
