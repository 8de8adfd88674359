"""The shared proxy tests (tests/proxy_contract.py), run against the hub."""

import pytest

from hub import create_app
from hub.config import TestConfig
from tests.proxy_contract import (  # noqa: F401 - collected by pytest from this module
    make_probe_app,
    test_a_bad_trusted_proxies_setting_is_refused_by_name,
    test_behind_nginx_forwarded_host_and_port_are_never_believed,
    test_behind_nginx_https_gives_https_urls,
    test_behind_nginx_the_address_is_the_one_nginx_saw,
    test_the_trusted_proxies_setting_is_read,
    test_without_trusted_proxies_forwarded_headers_are_ignored,
)


@pytest.fixture
def app_parts():
    return create_app, TestConfig
