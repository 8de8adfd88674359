"""The delivery tests (tests/delivery_contract.py) on the hub."""

from __future__ import annotations

import pytest

from tests.delivery_contract import (  # noqa: F401 - collected by pytest from this module
    test_a_static_file_revalidates_with_its_weakened_etag,
    test_compression_can_be_left_to_nginx,
    test_pages_are_gzipped_for_a_client_that_accepts_it,
    test_static_files_have_content_hashed_names_cached_for_a_year,
    test_the_excluded_paths_are_never_compressed,
)


@pytest.fixture
def delivery():
    return "/", "css/app.css", "/login"
