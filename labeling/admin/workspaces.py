"""The workspace admin, with each workspace's dataset count: accounts owns the admin, labeling adds its column."""

from django.contrib import admin

from accounts.admin import WorkspaceAdmin as AccountsWorkspaceAdmin
from accounts.models import Workspace
from config.admin import related_count
from labeling.models import Dataset

admin.site.unregister(Workspace)


@admin.register(Workspace)
class WorkspaceAdmin(AccountsWorkspaceAdmin):
    """accounts' workspace admin, with the count of each workspace's datasets on the changelist."""

    list_display = ("name", "member_count", "dataset_count", "inserted_at")

    def annotate_changelist(self, queryset):
        return super().annotate_changelist(queryset).annotate(dataset_count=related_count(Dataset, "workspace"))

    @admin.display(description="datasets", ordering="dataset_count")
    def dataset_count(self, obj):
        return obj.dataset_count
