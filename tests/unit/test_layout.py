"""The package's shape: small modules, and imports that point one way (no circle, none hidden in a function)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "isolation_harness"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], list[str]]:
    """First-party modules imported when the module runs, and first-party imports inside functions."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    top: set[str] = set()
    hidden: list[str] = []

    def targets(node: ast.Import | ast.ImportFrom) -> set[str]:
        found: set[str] = set()
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = _absolute(name, is_package, node)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in names:
            if target.startswith("isolation_harness"):
                # Importing a.b.c runs a/__init__ and a/b/__init__ first.
                parts = target.split(".")
                # ...unless it is an ancestor of the importer, already being imported. The root
                # package is the public facade: every module is imported under it already.
                found |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)} & modules.keys()
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        if is_package:
            ancestors.add(name)
        return found - ancestors

    def visit(node: ast.AST, *, in_function: bool, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found = targets(child)
                if in_function and found:
                    hidden.append(f"{name}:{child.lineno}")
                elif not type_only:
                    top.update(found)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, in_function=in_function, type_only=True)
            else:
                function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                visit(child, in_function=in_function or function, type_only=type_only)

    visit(tree, in_function=False, type_only=False)
    return top - {name}, hidden


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_package_has_no_import_circle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules)[0] for name, path in modules.items()}
    circles = []
    for start in graph:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for following in graph[node]:
                if following == start:
                    circles.append(" -> ".join([*trail, start]))
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, [*trail, following]))
    assert circles == []


# Front ends loaded before anyone knows the harness is wanted: pytest imports the plugin (and what it
# reads its options with) in every run, so they load the engine on first use, and an unrelated test
# run pays nothing for it; the command line loads its commands under its own Ctrl-C handling.
DEFERRING = frozenset(
    {
        "isolation_harness.plugin",
        "isolation_harness.extensions",
        "isolation_harness.config.settings",
        "isolation_harness.cli",
    }
)


def test_no_first_party_import_hides_in_a_function() -> None:
    modules = _modules()
    hidden = [
        place
        for name, path in modules.items()
        if name not in DEFERRING
        for place in _imports(name, path, modules)[1]
    ]
    assert hidden == []


def test_the_deferring_front_ends_exist() -> None:
    assert _modules().keys() >= DEFERRING


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from . import b\n", {"isolation_harness.b"}),
        ("from .b import c\n", {"isolation_harness.b"}),
        ("import typing\nif typing.TYPE_CHECKING:\n    from . import b\n", set()),
    ],
)
def test_the_checker_reads_imports(tmp_path: Path, source: str, expected: set[str]) -> None:
    path = tmp_path / "a.py"
    path.write_text(source)
    modules = {
        "isolation_harness": tmp_path / "__init__.py",
        "isolation_harness.a": path,
        "isolation_harness.b": path,
    }
    assert _imports("isolation_harness.a", path, modules)[0] == expected


def test_the_checker_finds_a_hidden_import(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("def f():\n    from . import b\n")
    modules = {"isolation_harness.a": path, "isolation_harness.b": path}
    assert _imports("isolation_harness.a", path, modules)[1] == ["isolation_harness.a:2"]
