"""Admin for responses: read their answers and history, delete them through `labeling.services` (DESIGN §6)."""

from django.contrib import admin

from config.admin import TenantAdmin
from labeling.admin.common import ExactSearchMixin, RecordDatasetFilter, pretty_json
from labeling.admin.history import history_table
from labeling.models import Response
from labeling.selectors.history import versions_of
from labeling.selectors.lookups import dataset_access_for
from labeling.services import responses as response_services


@admin.register(Response)
class ResponseAdmin(ExactSearchMixin, TenantAdmin):
    """Responses are written by their labelers; here admins read them and may delete one."""

    list_display = ("record", "dataset", "user", "status", "submitted_at", "updated_at")
    list_select_related = ("record__dataset", "user")
    changelist_defer = ("values", "record__fields", "record__metadata")
    list_filter = (RecordDatasetFilter, "status")
    list_per_page = 100
    search_fields = ("user__username",)
    exact_search_fields = ("user__username", "record__external_id")
    search_help_text = "Exact username or record external id; end with * for a prefix."
    fields = ("record", "user", "status", "readable_values", "review_status", "version", "started_at", "submitted_at",
              "inserted_at", "updated_at", "history")
    readonly_fields = fields

    @admin.display(description="dataset", ordering="record__dataset__name")
    def dataset(self, obj):
        return obj.record.dataset

    @admin.display(description="values")
    def readable_values(self, obj):
        return pretty_json(obj.values)

    @admin.display(description="history")
    def history(self, obj):
        return history_table(list(versions_of(response=obj)), obj.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        access = dataset_access_for(user=request.user, dataset=obj.record.dataset)
        response_services.response_delete(access=access, response=obj)

    def delete_queryset(self, request, queryset):
        for response in queryset.select_related("record__dataset"):
            access = dataset_access_for(user=request.user, dataset=response.record.dataset)
            response_services.response_delete(access=access, response=response)
