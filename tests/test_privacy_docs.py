"""The DPIA (docs/dpia.md) and the breach runbook point at code and tests that exist, and the
README maps each personal-data behaviour to where it is built and tested (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH = re.compile(r"`((?:node|shared|hub|tests|docs|ansible)/[\w./-]+)`")


@pytest.mark.parametrize("document", ["docs/dpia.md", "docs/ops/breach.md", "README.md"])
def test_every_path_named_exists(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    named = set(PATH.findall(text))

    assert named or document == "docs/ops/breach.md"
    missing = sorted(path for path in named if not (ROOT / path.rstrip(".")).exists())
    assert missing == []


def test_the_dpia_covers_what_the_law_asks_in_vietnamese():
    text = (ROOT / "docs/dpia.md").read_text(encoding="utf-8")
    for heading in (
        "Mục đích xử lý",
        "Loại dữ liệu",
        "Căn cứ pháp lý",
        "Bên nhận dữ liệu",
        "Thời hạn lưu trữ",
        "Biện pháp bảo vệ",
        "Xác nhận",
    ):
        assert heading in text, heading
    assert "không nhận dữ liệu cá nhân" in text  # the hub


def test_the_readme_maps_each_behaviour():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Personal data")[1]
    section = section.split("\n## ")[0]
    for behaviour in ("My data", "Retention", "Residents' requests", "Breach response"):
        assert f"**{behaviour}" in section, behaviour
    assert "docs/dpia.md" in section
