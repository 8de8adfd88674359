"""No function in shared, node or hub runs over 60 lines unless its docstring says why, in a
paragraph starting "Long because" (issue 11). Checked on the source with `ast`; a function's
lines run from its `def` to its last line, nested functions and methods included."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "node", "hub")
MAX_LINES = 60
REASON = "Long because"

Function = ast.FunctionDef | ast.AsyncFunctionDef


def modules() -> Iterator[Path]:
    """Every module of the packages, their migrations left out (Alembic writes those)."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def functions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Function]]:
    """Each function under ``node`` with its qualified name (Class.method, outer.inner)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield name, child
            yield from functions(child, f"{name}.")
        else:
            yield from functions(child, prefix)


def gives_a_reason(function: Function) -> bool:
    """Whether a paragraph of the docstring starts with REASON."""
    docstring = ast.get_docstring(function) or ""
    return any(paragraph.strip().startswith(REASON) for paragraph in docstring.split("\n\n"))


def offenders(paths: list[Path], root: Path) -> list[str]:
    """path:line name (lines) of every function over MAX_LINES lines that gives no reason."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, function in functions(tree):
            length = function.end_lineno - function.lineno + 1
            if length > MAX_LINES and not gives_a_reason(function):
                found.append(f"{path.relative_to(root)}:{function.lineno} {name} ({length} lines)")
    return found


def test_no_function_is_over_60_lines_without_a_reason():
    paths = list(modules())

    found = offenders(paths, ROOT)

    assert len(paths) > 100
    assert not found, (
        f"functions over {MAX_LINES} lines: split them, or say why in a docstring paragraph "
        f'starting "{REASON}":\n' + "\n".join(found)
    )


def long_function(name: str, docstring: str = "", lines: int = MAX_LINES + 1) -> str:
    """The source of a function of exactly ``lines`` lines (def and docstring included)."""
    head = [f"def {name}():", *([f'    """{docstring}"""'] if docstring else [])]
    body = [f"    x{index} = {index}" for index in range(lines - len(head))]
    return "\n".join([*head, *body]) + "\n"


def test_the_checker_reports_a_long_function(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(long_function("long") + "\n\n" + long_function("just_right", lines=60))

    assert offenders([module], tmp_path) == ["module.py:1 long (61 lines)"]


def test_the_checker_sees_methods_and_nested_functions(tmp_path):
    module = tmp_path / "module.py"
    nested = "".join(f"    {line}\n" for line in long_function("inner").splitlines())
    method = "".join(f"    {line}\n" for line in long_function("method").splitlines())
    module.write_text(f"def outer():\n{nested}\n\nclass Thing:\n{method}")

    assert offenders([module], tmp_path) == [
        "module.py:1 outer (62 lines)",
        "module.py:2 outer.inner (61 lines)",
        "module.py:66 Thing.method (61 lines)",
    ]


def test_a_reason_paragraph_lets_a_long_function_be(tmp_path):
    reason = "Sums the columns.\n\n    Long because the form has 60 columns, one line each.\n    "
    passing = tmp_path / "passing.py"
    passing.write_text(long_function("long", reason))
    # The words must open a paragraph: in passing, or as the summary's end, they do not count.
    failing = tmp_path / "failing.py"
    failing.write_text(long_function("long", "Sums the columns. Long because the form is."))

    assert offenders([passing], tmp_path) == []
    assert offenders([failing], tmp_path) == ["failing.py:1 long (61 lines)"]
