"""The tests and benches read nothing outside the repository, so a clean clone in any folder
passes `make test` (the worked cases once came from a folder beside it: tests/data/README.md).

Checked on the sources: a path to the folder beside the repository, an absolute path into our
own machines' /work, or more parents of ``__file__`` than the file has inside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tests", "bench")
SIBLING = re.compile(r"\.\./+shared\b")
WORK = re.compile(r"(?<![\w.-])/work/")
PARENTS = re.compile(r"\.parents\[(\d+)\]")
PARENT_CHAIN = re.compile(r"(?:\.parent\b)+")


def leaving_paths(relative: Path, text: str) -> list[str]:
    """What in ``text`` (the source of ``relative``, a path from the root) leaves the repository.

    ``parents[n]`` of a file ``len(relative.parts)`` deep is outside from n = that depth on;
    a chain of k ``.parent`` is ``parents[k - 1]``.
    """
    depth = len(relative.parts)
    found = [match.group() for match in (*SIBLING.finditer(text), *WORK.finditer(text))]
    found += [m.group() for m in PARENTS.finditer(text) if int(m.group(1)) >= depth]
    found += [m.group() for m in PARENT_CHAIN.finditer(text) if m.group().count(".") > depth]
    return found


def sources() -> list[Path]:
    """Every text file under tests/ and bench/ but this one (which names what it looks for)."""
    paths = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path != Path(__file__):
                paths.append(path)
    return paths


def test_no_test_or_bench_reads_outside_the_repository():
    offending = {}
    for path in sources():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not a source
        relative = path.relative_to(ROOT)
        if found := leaving_paths(relative, text):
            offending[str(relative)] = found
    assert offending == {}


def test_the_scan_covers_the_tests_and_the_benches():
    scanned = {path.relative_to(ROOT).as_posix() for path in sources()}
    assert {"tests/shared/conftest.py", "tests/data/cases.json", "bench/engine.py"} <= scanned


@pytest.mark.parametrize(
    ("relative", "line", "leaves"),
    [
        ("tests/shared/conftest.py", 'Path(__file__).resolve().parents[3] / "shared"', True),
        ("tests/shared/conftest.py", 'Path(__file__).resolve().parents[2] / "node"', False),
        ("tests/test_x.py", "Path(__file__).resolve().parents[2]", True),
        ("tests/test_x.py", "Path(__file__).resolve().parents[1]", False),
        ("bench/engine.py", "Path(__file__).parent.parent.parent", True),
        ("bench/engine.py", "Path(__file__).parent.parent", False),
        ("tests/node/test_x.py", 'open("../shared/domain/cases/cases.json")', True),
        ("tests/node/test_x.py", 'Path("/work/shared/domain")', True),
        ("tests/node/test_x.py", 'Path("node/static/js/work/x.js")', False),
    ],
)
def test_what_counts_as_leaving(relative, line, leaves):
    assert bool(leaving_paths(Path(relative), line)) is leaves
