"""Admin for datasets (with their schema inline), records, responses and their history, assignments,
claims, and the workspaces' dataset counts (DESIGN §6).

Django's admin autodiscovery imports this package; importing each module registers its model admins.
Every changelist stays fast on large datasets: related rows come with `list_select_related`, per-row
counts are subqueries of the page's one query, filters list only the user's datasets, searches are
exact (or prefix) matches on indexed columns, and no full result count is taken.
"""

from . import assignments, datasets, history, records, responses, workspaces  # noqa: F401  (registration)
