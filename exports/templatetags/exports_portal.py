"""Template tags for linking the admin pages (exports, imports, dashboard) from portal pages."""

from django import template

from exports import selectors

register = template.Library()


class AdministeredWorkspaces:
    """`{% if workspace_id in admin %}` and `{% if admin %}` (administers any workspace) in templates."""

    def __init__(self, ids: set | None):
        self.ids = ids  # None: an owner, who administers every workspace

    def __contains__(self, workspace_id) -> bool:
        return self.ids is None or workspace_id in self.ids

    def __bool__(self) -> bool:
        return self.ids is None or bool(self.ids)


@register.simple_tag(takes_context=True)
def administered_workspaces(context) -> AdministeredWorkspaces:
    """The workspaces the page's user administers (one query)."""
    return AdministeredWorkspaces(selectors.administered_workspace_ids(user=context["request"].user))
