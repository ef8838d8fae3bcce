"""What the labeling admins share: JSON shown as text, dataset filters scoped to the user, exact search (DESIGN §6).

Searches are exact (or prefix) matches on indexed columns, so every changelist stays fast on large datasets.
"""

import json

from django.db.models import Q
from django.utils.html import format_html

from config.admin import ScopedRelatedFilter
from config.ids import uuid_or_none


def pretty_json(value):
    """JSON as an indented, escaped block: readable answers and suggestions, never rendered as HTML."""
    return format_html(
        "<pre style='white-space: pre-wrap; margin: 0'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


class DatasetFilter(ScopedRelatedFilter):
    title = "dataset"
    parameter_name = "dataset"
    field_path = "dataset"


class RecordDatasetFilter(ScopedRelatedFilter):
    title = "dataset"
    parameter_name = "dataset"
    field_path = "record__dataset"


class ExactSearchMixin:
    """Search by exact values (or a prefix with a trailing '*') on indexed columns, never a full scan
    with LIKE '%…%' over every row. `exact_search_fields` lists the columns; a UUID also matches `pk`."""

    exact_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        lookup = "startswith" if term.endswith("*") and len(term) > 1 else "exact"
        value = term[:-1] if lookup == "startswith" else term
        condition = Q()
        for name in self.exact_search_fields:
            condition |= Q(**{f"{name}__{lookup}": value})
        if (pk := uuid_or_none(term)) is not None:
            condition |= Q(pk=pk)
        return queryset.filter(condition), False
