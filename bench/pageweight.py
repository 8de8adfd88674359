"""What the resident portal costs a phone: the bytes on the wire of the home page (a first visit
in Chromium, every request the page makes) and of the offline shell the service worker stores,
and the first visit's load time under Chromium's network emulation.

A library: bench/pages.py prints it for a server it starts (or any URL), and the deploy test
(tests/deploy/test_local_deploy.py) measures the deployment through nginx with it.
"""

from __future__ import annotations

import json
import re
import ssl
import statistics
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPResponse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
# A phone on a weak mobile link, as the issue measures it: (name, bits/s down and up, round trip s).
PROFILES = (("400 kbit/s, 400 ms", 400_000, 0.400), ("250 kbit/s, 800 ms", 250_000, 0.800))
# The service worker's list of what it stores (node/templates/portal/sw.js).
SHELL_LIST = re.compile(r"^var SHELL = (\[.*\]);$", re.M)
ACCEPT = "gzip, deflate, br"


@dataclass
class PageLoad:
    """One first visit: every request of the page, its bytes on the wire, and timings (s)."""

    wire_bytes: int = 0
    requests: list[tuple[str, int]] = field(default_factory=list)
    load_seconds: float = 0.0
    dom_ready_seconds: float = 0.0


def first_visit(
    browser, url: str, *, profile: tuple[str, int, float] | None = None, **context_options
) -> PageLoad:
    """Open ``url`` in a new browser context (empty cache, no service worker, new connections),
    optionally through the emulated link ``profile``: what went over the wire, and when."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", **context_options
    )
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if profile is not None:
            _, bits, round_trip = profile
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": round_trip * 1000,
                    "downloadThroughput": bits / 8,
                    "uploadThroughput": bits / 8,
                },
            )
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.setdefault(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        page.goto(url, wait_until="load", timeout=60_000)
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.loadEventEnd, n.domContentLoadedEventEnd]; })()"
        )
        # Whatever the page still asks for after `load` (the manifest, the service worker script)
        # is the page's cost too.
        page.wait_for_load_state("networkidle", timeout=60_000)
        load = PageLoad(load_seconds=timing[0] / 1000, dom_ready_seconds=timing[1] / 1000)
        for request_id, size in sizes.items():
            load.requests.append((urls.get(request_id, "?"), size))
        load.wire_bytes = sum(size for _, size in load.requests)
        return load
    finally:
        context.close()


def median_load(browser, url: str, profile, runs: int = 3, **context_options) -> float:
    """The median load time of ``runs`` first visits through ``profile``."""
    return statistics.median(
        first_visit(browser, url, profile=profile, **context_options).load_seconds
        for _ in range(runs)
    )


def fetch(url: str, context: ssl.SSLContext | None = None) -> tuple[int, bytes, HTTPResponse]:
    """GET as a browser asks (compression accepted): bytes on the wire (status line, headers,
    body as sent) and the body as sent."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT})
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        body = response.read()
        head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        head += sum(len(name) + len(value) + 4 for name, value in response.getheaders())
        return head + len(body), body, response


def shell_urls(base_url: str, context: ssl.SSLContext | None = None) -> list[str]:
    """The URLs the service worker stores when it installs, read from /sw.js itself."""
    _, body, response = fetch(base_url.rstrip("/") + "/sw.js", context)
    if response.headers.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    match = SHELL_LIST.search(body.decode())
    if match is None:
        raise ValueError("/sw.js has no SHELL list")
    return json.loads(match[1])


def shell_weight(
    base_url: str, context: ssl.SSLContext | None = None
) -> tuple[int, list[tuple[str, int]]]:
    """Bytes on the wire of the whole offline shell (the worker script included), and per URL."""
    base = base_url.rstrip("/")
    sizes = [("/sw.js", fetch(base + "/sw.js", context)[0])]
    sizes += [(path, fetch(base + path, context)[0]) for path in shell_urls(base_url, context)]
    return sum(size for _, size in sizes), sizes
