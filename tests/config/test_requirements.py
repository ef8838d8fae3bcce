"""requirements.txt holds what the service runs and nothing only tests need; requirements-dev.txt adds the rest."""

import ast
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "accounts", "labeling", "exports", "argilla_compat")
TEST_TOOLS = ("pytest", "pytest-django", "pytest-xdist", "schemathesis", "hypothesis", "playwright", "factory-boy",
              "datasets")


def pinned(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith(("#", "-r")):
            name, _, version = line.partition("==")
            found[normalized(name)] = version
    return found


def normalized(name: str) -> str:
    return name.lower().replace("_", "-")


def third_party_imports() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(APPS) - set(sys.stdlib_module_names)


def test_every_package_the_service_imports_is_pinned_for_production():
    service = pinned(ROOT / "requirements.txt")
    distributions = packages_distributions()
    missing = {name for name in third_party_imports()
               if not any(normalized(dist) in service for dist in distributions.get(name, [name]))}
    assert not missing, f"imported by the service but not in requirements.txt: {sorted(missing)}"


def test_production_requirements_are_closed_under_their_dependencies():
    service = pinned(ROOT / "requirements.txt")
    unpinned = set()
    for name in service:
        for text in requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            dependency = normalized(requirement.name)
            if dependency not in service:
                unpinned.add(f"{name} -> {dependency}")
    assert not unpinned, f"dependencies missing from requirements.txt: {sorted(unpinned)}"


@pytest.mark.parametrize("tool", TEST_TOOLS)
def test_test_tools_stay_out_of_production(tool):
    assert tool not in pinned(ROOT / "requirements.txt")
    assert tool in pinned(ROOT / "requirements-dev.txt")
