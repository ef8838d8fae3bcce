"""Routing by skill (issue #19), without the database: which records a labeler may be served.

A dataset's `routing_property` names one of its terms metadata properties; a record's value there (a
string or a list of strings) holds the skill(s) it needs. A labeler is served a record whose value
matches one of their membership's skills, or that has no value (open to all). Tags compare trimmed and
lower-case, as `accounts.skills` stores them. Admins and owners are not routed: they set routing up and
must be able to check any record.

With the dataset's `routing_fallback_hours`, a labeler without skills is also served records that no
labeler holding a matching skill could take lately: none of the record's tags is among the `active`
skills (those of labelers who submitted in the dataset within the window).

`labeling.sql.next_record` applies the same rule in SQL; the parity tests run both over the same data.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def record_tags(value: Any) -> frozenset[str]:
    """The tags a record's routing value asks for: its strings, trimmed and lower-case; empty when it has none."""
    items = value if isinstance(value, list) else [value]
    return frozenset(item.strip().lower() for item in items if isinstance(item, str) and item.strip())


@dataclass(frozen=True)
class Routing:
    """The routing of one caller in one dataset.

    `tags` are the caller's skills; with `fallback`, they are instead the skills of recently active
    labelers, and the caller (who has none) may take records none of whose tags are among them.
    """

    property_name: str
    tags: tuple[str, ...]
    fallback: bool = False

    def allows(self, metadata: Any) -> bool:
        """Whether a record with this metadata may be served to the caller."""
        value = metadata.get(self.property_name) if isinstance(metadata, dict) else None
        needed = record_tags(value)
        if not needed:
            return True
        matches = not needed.isdisjoint(self.tags)
        return not matches if self.fallback else matches


def routing_for(*, property_name: str, is_admin: bool, skills: Iterable[str], active: Iterable[str] | None) -> Routing | None:
    """The caller's routing in a dataset, or None when they are not routed (routing off, or an admin).

    `active` is None unless the dataset falls back and the caller has no skills; it is then the skills of
    the labelers active within the fallback window.
    """
    if not property_name or is_admin:
        return None
    skills = tuple(sorted(skills))
    if not skills and active is not None:
        return Routing(property_name, tuple(sorted(active)), fallback=True)
    return Routing(property_name, skills)


def eligible_annotators(value: Any, skills_by_user: dict) -> frozenset | None:
    """The annotators (keys of `skills_by_user`) a record with this routing value may go to; None: anyone."""
    needed = record_tags(value)
    if not needed:
        return None
    return frozenset(user for user, skills in skills_by_user.items() if not needed.isdisjoint(skills))
