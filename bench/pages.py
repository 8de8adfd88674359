"""Page weight: the resident portal's home page and offline shell on the wire, and the home page's
first-visit load time on a weak mobile link, with compression off (as before issue 13) and on.

Run: .venv/bin/python bench/pages.py [--runs 3] [--url URL [--cafile CERT]]

Without --url it starts the node twice on 127.0.0.1 (`giamngheo node run`, waitress, a fresh
SQLite database, development settings): once with GIAMNGHEO_COMPRESS=0, once as shipped. With
--url it measures that server only (e.g. a deployment behind nginx: `GIAMNGHEO_DEPLOY_KEEP=1 make
deploy-local` prints its URL and certificate). Debian's Chromium (/usr/bin/chromium) loads the
home page in a new context each time (empty cache, no service worker); "on the wire" is what
Chromium counts (headers and bodies as sent) for every request of the page, and for the shell
the status line, headers and body of each file the service worker stores. The load time is
Navigation Timing's loadEventEnd under Chromium's network emulation (a round-trip delay on every
request and a bandwidth cap), the median of --runs visits.
Goals (issue 13): home ≤ 20 KB, shell ≤ 80 KB, load ≤ 1.5 s at 400 kbit/s and 400 ms, ≤ 2.5 s at
250 kbit/s and 800 ms.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pageweight import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PROFILES,
    first_visit,
    median_load,
    shell_weight,
)

GIAMNGHEO = Path(sys.executable).parent / "giamngheo"
GOALS = {"home": 20_000, "shell": 80_000, PROFILES[0][0]: 1.5, PROFILES[1][0]: 2.5}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def node(compress: bool):
    """The node under waitress on a fresh SQLite database; its base URL."""
    with tempfile.TemporaryDirectory(prefix="giamngheo-pages-") as tmp:
        env = {
            **os.environ,
            "GIAMNGHEO_ENV": "development",
            "GIAMNGHEO_PROVINCE": "12",
            "GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp}/node.db",
            "GIAMNGHEO_SIGNING_KEY_FILE": f"{tmp}/key.pem",
            "GIAMNGHEO_COMPRESS": "1" if compress else "0",
        }
        subprocess.run([GIAMNGHEO, "node", "init-db"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [GIAMNGHEO, "node", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "healthz", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure(browser, url: str, runs: int, cafile: str | None) -> dict[str, float]:
    """Every figure for one server."""
    options = {"ignore_https_errors": True} if url.startswith("https") else {}
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    home = first_visit(browser, url, **options)
    shell, _ = shell_weight(url, context)
    figures: dict[str, float] = {"home": home.wire_bytes, "shell": shell}
    for profile in PROFILES:
        figures[profile[0]] = median_load(browser, url, profile, runs, **options)
    return figures


def show(label: str, figures: dict[str, float]) -> None:
    print(f"{label}:")
    print(f"  home page on the wire     {figures['home'] / 1000:6.1f} KB  (goal ≤ 20 KB)")
    print(f"  offline shell on the wire {figures['shell'] / 1000:6.1f} KB  (goal ≤ 80 KB)")
    for name, _, _ in PROFILES:
        print(f"  first visit, {name:18} {figures[name]:5.2f} s  (goal ≤ {GOALS[name]} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="visits per profile (median)")
    parser.add_argument("--url", help="measure this server instead of starting the node")
    parser.add_argument("--cafile", help="the server's certificate (self-signed deployments)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if args.url:
                show(args.url, measure(browser, args.url, args.runs, args.cafile))
                return
            results = {}
            for label, compress in (("compression off (before)", False), ("as shipped", True)):
                with node(compress) as url:
                    results[label] = measure(browser, url, args.runs, None)
                show(label, results[label])
            before, after = results.values()
            print(
                f"home {before['home'] / after['home']:.1f}× lighter, "
                f"shell {before['shell'] / after['shell']:.1f}× lighter"
            )
        finally:
            browser.close()


if __name__ == "__main__":
    main()
