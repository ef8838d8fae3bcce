"""The layout rules of STYLE §2, checked over the app code so that they hold as the code grows.

Modules stay under ~400 lines and functions under ~60, layers import downward only
(`config` < `accounts` < `labeling` < `exports` < `argilla_compat`), and no `_private` name is
imported from another module. URL and settings wiring (`config/urls.py`, `config/settings/`) and
migrations are the only places allowed to name every app.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("config", "accounts", "labeling", "exports", "argilla_compat")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
WIRING = {"config/urls.py", "config/api_urls.py", "config/celery.py", "config/wsgi.py", "config/asgi.py"}


def app_modules():
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            yield relative, path


MODULES = dict(app_modules())


def imported_modules(tree: ast.AST, module_name: str):
    """(imported module, names, line) for every import, relative ones resolved against `module_name`."""
    package = module_name.rsplit(".", 1)[0] if not module_name.endswith("__init__") else module_name[: -len(".__init__")]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            yield base, [alias.name for alias in node.names], node.lineno


def module_name(relative: str) -> str:
    return relative[: -len(".py")].replace("/", ".")


@pytest.mark.parametrize("relative", sorted(MODULES))
def test_module_is_small(relative):
    lines = MODULES[relative].read_text().count("\n")
    assert lines <= MAX_MODULE_LINES, f"{relative} has {lines} lines: split it by capability"


@pytest.mark.parametrize("relative", sorted(MODULES))
def test_functions_are_short(relative):
    tree = ast.parse(MODULES[relative].read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{relative}: {', '.join(long)}"


@pytest.mark.parametrize("relative", sorted(set(MODULES) - WIRING - {p for p in MODULES if p.startswith("config/settings/")}))
def test_imports_go_downward(relative):
    own = LAYERS.index(relative.split("/")[0])
    tree = ast.parse(MODULES[relative].read_text())
    upward = [
        f"line {line}: {target}"
        for target, _, line in imported_modules(tree, module_name(relative))
        if target.split(".")[0] in LAYERS and LAYERS.index(target.split(".")[0]) > own
    ]
    assert not upward, f"{relative} imports a higher layer: {'; '.join(upward)}"


@pytest.mark.parametrize("relative", sorted(MODULES))
def test_no_private_name_crosses_modules(relative):
    tree = ast.parse(MODULES[relative].read_text())
    private = [
        f"line {line}: {target}.{name}"
        for target, names, line in imported_modules(tree, module_name(relative))
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    private += [
        f"line {line}: {target}"
        for target, _, line in imported_modules(tree, module_name(relative))
        if any(part.startswith("_") and not part.startswith("__") for part in target.split("."))
    ]
    assert not private, f"{relative} imports private names: {'; '.join(private)}"
