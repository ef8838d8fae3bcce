"""Skills: the tags a membership carries (`python`, `legal`, `lang:de`), which route records to labelers
(issue #19). Pure rules, no database: what a tag may look like and its one normal form.
"""

from collections.abc import Iterable
from typing import Any

from config.errors import InvalidInput

MAX_SKILLS = 32
MAX_SKILL_LENGTH = 50


def skill_normalized(value: Any) -> str:
    """One tag in its normal form (trimmed, lower-case); InvalidInput for an empty, long or spaced tag."""
    if not isinstance(value, str):
        raise InvalidInput("A skill is a text tag such as 'python' or 'lang:de'.", details={"field": "skills"})
    tag = value.strip().lower()
    if not tag or len(tag) > MAX_SKILL_LENGTH or any(char.isspace() for char in tag):
        raise InvalidInput(
            f"A skill is 1 to {MAX_SKILL_LENGTH} characters without spaces, such as 'python' or 'lang:de'; "
            f"{value!r} is not.",
            details={"field": "skills"},
        )
    return tag


def skills_normalized(values: Any) -> list[str]:
    """A list of tags in normal form: each tag normalised, duplicates dropped, sorted; at most MAX_SKILLS."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput("Give the skills as a list of tags.", details={"field": "skills"})
    tags = sorted({skill_normalized(value) for value in values})
    if len(tags) > MAX_SKILLS:
        raise InvalidInput(f"A member holds at most {MAX_SKILLS} skills.", details={"field": "skills"})
    return tags


def skills_from_text(text: str) -> list[str]:
    """Tags typed as one line (the admin's form), separated by commas and/or spaces, in normal form."""
    return skills_normalized(part for part in text.replace(",", " ").split())


def skills_as_text(skills: Iterable[str]) -> str:
    """The line `skills_from_text` reads back."""
    return ", ".join(skills)
