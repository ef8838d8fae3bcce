"""Admin for records, with their suggestions and responses inline (DESIGN §6).

Writes go through `labeling.services`; the record form runs the same validation as the API first.
"""

from itertools import groupby

from django import forms
from django.contrib import admin

from config.admin import FrozenOnExistingForm, ReadOnlyMixin, TenantAdmin, TenantInline, adopt
from labeling import validation
from labeling.admin.common import DatasetFilter, ExactSearchMixin, pretty_json
from labeling.admin_actions import RECORD_ACTIONS
from labeling.models import Assignment, Dataset, Record, Response, Suggestion
from labeling.selectors.lookups import dataset_access_for
from labeling.services import records as record_services


def _problems_text(problems: list[dict]) -> list[str]:
    return [
        f"{p.get('field') or p.get('question')}: {p['message']}"
        if p.get("field") or p.get("question")
        else p["message"]
        for p in problems
    ]


class RecordForm(FrozenOnExistingForm, forms.ModelForm):
    frozen_on_existing = ("dataset",)

    class Meta:
        model = Record
        fields = ("dataset", "external_id", "fields", "metadata")
        help_texts = {
            "fields": 'One string per field of the dataset, e.g. {"prompt": "…"}.',
            "metadata": 'Optional, e.g. {"topic": "cards"}.',
        }

    def clean(self):
        data = super().clean()
        dataset = data.get("dataset")
        if dataset is None or "fields" in self.errors or "metadata" in self.errors:
            return data
        if self.instance._state.adding and dataset.status != Dataset.Status.READY:
            self.add_error("dataset", f"Publish the dataset '{dataset.name}' before adding records.")
            return data
        item = {
            "fields": data.get("fields"),
            "metadata": data.get("metadata") or {},
            "external_id": data.get("external_id") or None,
        }
        problems = validation.record_problems(
            item,
            fields=dataset.fields.all(),
            metadata_properties=dataset.metadata_properties.all(),
            allow_extra_metadata=dataset.allow_extra_metadata,
        )
        for message in _problems_text(problems):
            self.add_error(None, message)
        return data


class SuggestionInline(ReadOnlyMixin, TenantInline, admin.TabularInline):
    model = Suggestion
    fields = ("question", "readable_value", "score", "agent", "type")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    @admin.display(description="value")
    def readable_value(self, obj):
        return pretty_json(obj.value)


class ResponseInline(ReadOnlyMixin, TenantInline, admin.TabularInline):
    model = Response
    fields = ("user", "status", "readable_values", "started_at", "submitted_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="values")
    def readable_values(self, obj):
        return pretty_json(obj.values)


@admin.register(Record)
class RecordAdmin(ExactSearchMixin, TenantAdmin):
    form = RecordForm
    list_display = ("__str__", "dataset", "workspace", "status", "submitted_count", "inserted_at")
    list_select_related = ("dataset__workspace",)
    changelist_defer = ("fields", "metadata")
    list_filter = (DatasetFilter, "status")
    list_per_page = 100
    search_fields = ("external_id",)
    exact_search_fields = ("external_id",)
    search_help_text = "Exact external id or record id; end with * for a prefix (rec-12*)."
    readonly_fields = ("ordinal", "status", "submitted_count", "inserted_at", "updated_at")
    inlines = (SuggestionInline, ResponseInline)
    actions = RECORD_ACTIONS

    def get_fields(self, request, obj=None):
        fields = list(RecordForm.Meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description="workspace", ordering="dataset__workspace__name")
    def workspace(self, obj):
        return obj.dataset.workspace

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        external_id = data.get("external_id") or None
        if not change:
            item = {"fields": data["fields"], "metadata": data.get("metadata") or {}, "external_id": external_id}
            result = record_services.records_upsert(
                access=dataset_access_for(user=request.user, dataset=data["dataset"]), items=[item]
            )
            adopt(obj, result.records[0])
            return
        current = Record.objects.select_related("dataset").get(pk=obj.pk)
        record = record_services.record_update(
            access=dataset_access_for(user=request.user, dataset=current.dataset),
            record=current,
            fields=data["fields"],
            metadata=data.get("metadata") or {},
            external_id=external_id,
        )
        adopt(obj, record)

    def delete_model(self, request, obj):
        access = dataset_access_for(user=request.user, dataset=obj.dataset)
        record_services.records_delete(access=access, record_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        rows = sorted(queryset.values_list("dataset_id", "pk"), key=lambda row: str(row[0]))
        datasets = Dataset.objects.in_bulk({dataset_id for dataset_id, _ in rows})
        for dataset_id, group in groupby(rows, key=lambda row: row[0]):
            access = dataset_access_for(user=request.user, dataset=datasets[dataset_id])
            record_services.records_delete(access=access, record_ids=[pk for _, pk in group])

    def get_deleted_objects(self, objs, request):
        """Summarise by counts: a bulk delete may cover thousands of records."""
        ids = [obj.pk for obj in objs]
        counts = {
            "responses": Response.objects.filter(record_id__in=ids).count(),
            "suggestions": Suggestion.objects.filter(record_id__in=ids).count(),
            "assignments": Assignment.objects.filter(record_id__in=ids).count(),
        }
        return [str(obj) for obj in objs], {k: v for k, v in counts.items() if v}, set(), []
