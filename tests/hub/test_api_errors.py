"""The shared JSON error contract (tests/api_error_contract.py), run against the hub."""

import pytest

from hub import create_app
from hub.config import TestConfig
from hub.extensions import csrf
from tests.api_error_contract import (  # noqa: F401 - collected by pytest from this module
    probe_app,
    test_api_404_is_json_even_for_a_browser,
    test_browser_gets_an_html_error_page,
    test_invalid_fields_are_a_422_naming_each_field,
    test_malformed_json_is_a_400_not_a_500,
    test_non_html_client_gets_json_outside_the_api,
    test_unexpected_exception_is_a_logged_json_500_without_the_body,
    test_unknown_api_path_is_a_json_404,
    test_wrong_method_is_a_json_405_with_allow,
)


@pytest.fixture
def app_parts():
    return create_app, TestConfig, csrf
