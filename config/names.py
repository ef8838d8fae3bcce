"""Names that every client, the Argilla SDKs included, can read back (argilla-compat.md §1 "Names")."""

import re

from .errors import InvalidInput

WORKSPACE_NAME = re.compile(r"^(?![-_])[a-z0-9_-]+$")
DATASET_NAME = re.compile(r"^(?![-_])[a-zA-Z0-9_ -]+$")
SCHEMA_NAME = re.compile(r"^(?=.*[a-z0-9])[a-z0-9_-]+$")
USERNAME = re.compile(r"^(?!-|_)[a-zA-Z0-9_.@+-]+$")


def check_workspace_name(name: str) -> str:
    if not isinstance(name, str) or len(name) > 200 or not WORKSPACE_NAME.match(name):
        raise InvalidInput(
            "A workspace name uses lowercase letters, digits, '-' and '_', does not start with '-' or '_', "
            "and is at most 200 characters.",
            code="invalid_name",
            details={"field": "name"},
        )
    return name


def check_dataset_name(name: str) -> str:
    if not isinstance(name, str) or len(name) > 200 or not DATASET_NAME.match(name):
        raise InvalidInput(
            "A dataset name uses letters, digits, spaces, '-' and '_', does not start with '-' or '_', "
            "and is at most 200 characters.",
            code="invalid_name",
            details={"field": "name"},
        )
    return name


def schema_name_problem(name) -> str | None:
    """Why a field, question or metadata property name is not acceptable, or None."""
    if not isinstance(name, str) or len(name) > 200 or not SCHEMA_NAME.match(name):
        return "Use lowercase letters, digits, '-' and '_' (at least one letter or digit), at most 200 characters."
    return None
