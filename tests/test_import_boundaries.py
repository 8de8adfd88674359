"""Which package may import what (DESIGN §1, STYLE "Layout"), checked on the source with `ast`,
so even imports inside functions count.

- ``shared`` never imports an app; only ``shared/web`` may import Flask, SQLAlchemy and their
  extensions, and the rest of ``shared`` never imports ``shared.web``.
- Inside ``shared/web``, ``accounts`` and ``models`` stay free of Flask: the apps' services and
  models use them.
- The two apps never import each other.
- The apps' services (use-cases) never import Flask, Werkzeug, or the app's web, API, auth or
  context modules: they take what they need as arguments.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB_LIBRARIES = {"flask", "flask_babel", "flask_migrate", "flask_smorest", "flask_sqlalchemy",
                 "flask_wtf", "werkzeug", "webargs"}  # fmt: skip
DATABASE_LIBRARIES = {"sqlalchemy", "alembic"}
# An app's layers above its services.
UPPER_LAYERS = {"web", "api", "auth", "context", "cli", "scheduler", "wsgi", "demo"}


def rule_for(path: Path) -> set[str]:
    """The module names (top-level, or dotted prefixes) the module at ``path`` may not import."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts[0]
    if package == "shared":
        if parts[1] != "web":
            return {"node", "hub", "shared.web"} | WEB_LIBRARIES | DATABASE_LIBRARIES
        if parts[2] in ("accounts", "models"):
            return {"node", "hub"} | WEB_LIBRARIES | {"shared.web.auth", "shared.web.app"}
        return {"node", "hub"}
    other = {"node": "hub", "hub": "node"}[package]
    if len(parts) > 2 and parts[1] == "services":
        upper = {f"{package}.{layer}" for layer in UPPER_LAYERS}
        return {other} | WEB_LIBRARIES | upper | {"shared.web.auth", "shared.web.app"}
    return {other}


def imported_modules(path: Path):
    """The full name of every absolute import in a module, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for item in ast.walk(tree):
        if isinstance(item, ast.Import):
            for alias in item.names:
                yield alias.name, item.lineno
        elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
            yield item.module, item.lineno
            for alias in item.names:
                yield f"{item.module}.{alias.name}", item.lineno


def forbidden(name: str, rules: set[str]) -> bool:
    """Whether ``name`` is, or lies inside, one of the forbidden modules."""
    return any(name == rule or name.startswith(f"{rule}.") for rule in rules)


@pytest.mark.parametrize("package", ["shared", "node", "hub"])
def test_package_imports_respect_the_boundaries(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    violations = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in modules
            if "migrations" not in path.parts
            for name, line in imported_modules(path)
            if forbidden(name, rule_for(path))
        }
    )

    assert modules
    assert violations == []


@pytest.mark.parametrize(
    ("module", "source", "allowed"),
    [
        ("shared/units.py", "import flask", False),
        ("shared/standards/engine.py", "from shared.web import auth", False),
        ("shared/web/accounts.py", "from flask import request", False),
        ("shared/web/accounts.py", "from sqlalchemy import select", True),
        ("shared/web/auth.py", "from flask import request", True),
        ("shared/web/auth.py", "import node.cli", False),
        ("node/services/review.py", "from flask import request", False),
        ("node/services/review.py", "from node.web import officials", False),
        ("node/services/review.py", "from shared.web.accounts import Accounts", True),
        ("node/services/review.py", "from shared.web.auth import SignIn", False),
        ("node/web/portal.py", "from flask import request", True),
        ("hub/api/stats.py", "from node.models import User", False),
    ],
)
def test_the_rules_catch_what_they_should(tmp_path, module, source, allowed):
    path = ROOT / module
    probe = tmp_path / "probe.py"
    probe.write_text(f"def f():\n    {source}\n")

    found = [name for name, _ in imported_modules(probe) if forbidden(name, rule_for(path))]

    assert (found == []) is allowed


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from hub.models import Node\n    import node.cli\n")

    assert sorted(imported_modules(module)) == [
        ("hub.models", 2),
        ("hub.models.Node", 2),
        ("node.cli", 3),
    ]


def test_the_root_command_imports_only_the_standard_library_and_click():
    allowed = set(sys.stdlib_module_names) | {"click", "__future__"}

    imported = {name.partition(".")[0] for name, _ in imported_modules(ROOT / "shared" / "cli.py")}

    assert imported - allowed == set()
