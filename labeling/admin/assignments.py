"""Admin for assignments (added through `labeling.services`) and claims, which are read-only (DESIGN §6)."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from config.admin import ReadOnlyMixin, TenantAdmin, adopt
from labeling.admin.common import ExactSearchMixin, RecordDatasetFilter
from labeling.models import Assignment, Claim, Record
from labeling.selectors.lookups import dataset_access_for
from labeling.services import assignments as assignment_services


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ("record", "user")


@admin.register(Assignment)
class AssignmentAdmin(ExactSearchMixin, TenantAdmin):
    form = AssignmentForm
    list_display = ("record", "dataset", "user", "assigned_by", "inserted_at")
    list_select_related = ("record__dataset", "user", "assigned_by")
    changelist_defer = ("record__fields", "record__metadata")
    list_filter = (RecordDatasetFilter,)
    list_per_page = 100
    search_fields = ("user__username",)
    exact_search_fields = ("user__username", "record__external_id")
    search_help_text = "Exact username or record external id; end with * for a prefix."
    autocomplete_fields = ("record", "user")

    @admin.display(description="dataset", ordering="record__dataset__name")
    def dataset(self, obj):
        return obj.record.dataset

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        record = form.cleaned_data["record"]
        access = dataset_access_for(user=request.user, dataset=record.dataset)
        adopt(obj, assignment_services.assignment_add(access=access, record=record, user=form.cleaned_data["user"]))


@admin.register(Claim)
class ClaimAdmin(ReadOnlyMixin, TenantAdmin):
    """Claims are short leases taken by "next record"; shown to see who holds what, never edited."""

    list_display = ("record", "dataset", "user", "claimed_at", "expires_at", "is_live")
    list_select_related = ("record__dataset", "user")
    changelist_defer = ("record__fields", "record__metadata")
    list_filter = (RecordDatasetFilter,)
    list_per_page = 100

    def get_queryset(self, request):
        # Claim has no queryset class of its own: scope it through its record's.
        return Claim.objects.filter(record__in=Record.objects.administered_by(request.user))

    @admin.display(description="dataset")
    def dataset(self, obj):
        return obj.record.dataset

    @admin.display(boolean=True, description="live")
    def is_live(self, obj):
        return obj.expires_at > timezone.now()
