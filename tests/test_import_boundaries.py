"""The packages' import rules: shared imports neither app, and the two apps never import each
other (DESIGN §1). Checked on the source with `ast`, so even imports inside functions count."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"shared": {"node", "hub"}, "node": {"hub"}, "hub": {"node"}}


def imported_packages(path):
    """The top-level package of every absolute import in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for item in ast.walk(tree):
        if isinstance(item, ast.Import):
            for alias in item.names:
                yield alias.name.partition(".")[0], item.lineno
        elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
            yield item.module.partition(".")[0], item.lineno


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_boundaries(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules
        for name, line in imported_packages(path)
        if name in FORBIDDEN[package]
    ]

    assert modules
    assert violations == []


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from hub.models import Node\n    import node.cli\n")

    assert sorted(imported_packages(module)) == [("hub", 2), ("node", 3)]


def test_the_root_command_imports_only_the_standard_library_and_click():
    allowed = set(sys.stdlib_module_names) | {"click", "__future__"}

    imported = {name for name, _ in imported_packages(ROOT / "shared" / "cli.py")}

    assert imported - allowed == set()
