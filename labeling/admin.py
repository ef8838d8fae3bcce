"""Admin for datasets (with their schema inline), records, responses, assignments and claims (DESIGN §6).

Every changelist stays fast on 100,000 records: related rows come with `list_select_related`, per-row
counts are subqueries of the page's one query, filters list only the user's datasets, searches are
exact (or prefix) matches on indexed columns, and no full result count is taken.
Writes go through `labeling.services`; forms run the same pure validation rules first, so the admin
cannot store what the API would refuse.
"""

import json
import uuid
from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from accounts.admin import WorkspaceAdmin as AccountsWorkspaceAdmin
from accounts.admin import WorkspaceFilter
from accounts.models import Workspace
from config.admin import (
    FrozenOnExistingForm,
    ReadOnlyMixin,
    ScopedRelatedFilter,
    TenantAdmin,
    TenantInline,
    adopt,
    domain_error_to_validation,
    related_count,
)
from config.errors import DomainError
from config.names import check_dataset_name
from exports.admin_actions import JOB_ACTIONS

from . import services, validation
from .admin_actions import DATASET_ACTIONS, RECORD_ACTIONS
from .models import Assignment, Claim, Dataset, Field, MetadataProperty, Question, Record, Response, Suggestion


def pretty_json(value):
    """JSON as an indented, escaped block: readable answers and suggestions, never rendered as HTML."""
    return format_html(
        "<pre style='white-space: pre-wrap; margin: 0'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


def _problems_text(problems: list[dict]) -> list[str]:
    return [
        f"{p.get('field') or p.get('question')}: {p['message']}"
        if p.get("field") or p.get("question")
        else p["message"]
        for p in problems
    ]


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
        try:
            condition |= Q(pk=uuid.UUID(term))
        except ValueError:
            pass
        return queryset.filter(condition), False


# --- datasets and their schema ------------------------------------------------------------------


class DatasetForm(forms.ModelForm):
    class Meta:
        model = Dataset
        fields = ("workspace", "name", "guidelines", "min_submitted", "distribution", "allow_extra_metadata")

    def clean_name(self):
        return domain_error_to_validation(check_dataset_name, self.cleaned_data["name"])


class FieldForm(FrozenOnExistingForm, forms.ModelForm):
    frozen_on_existing = ("name", "required")

    class Meta:
        model = Field
        fields = ("name", "title", "required", "use_markdown")

    def clean_name(self):
        name = self.cleaned_data["name"]
        domain_error_to_validation(validation.check_schema_name, name, "field")
        return name


QUESTION_SETTINGS_HELP = (
    'JSON for the question type. text: {"use_markdown": false}; rating: {"options": [{"value": 1}, …, {"value": 5}]}; '
    'label_selection / multi_label_selection / ranking: {"options": [{"value": "yes", "text": "Yes"}, …]}; '
    'span: {"field": "prompt", "options": [{"value": "PER"}]}.'
)


class QuestionForm(FrozenOnExistingForm, forms.ModelForm):
    frozen_on_existing = ("name", "type")

    class Meta:
        model = Question
        fields = ("name", "title", "description", "type", "required", "settings")
        help_texts = {"settings": QUESTION_SETTINGS_HELP}

    def clean_name(self):
        name = self.cleaned_data["name"]
        domain_error_to_validation(validation.check_schema_name, name, "question")
        return name

    def clean(self):
        data = super().clean()
        name = data.get("name") or self.instance.name
        question_type = data.get("type") or self.instance.type
        if not name or not question_type or "settings" in self.errors:
            return data
        field_names = ()
        if question_type == validation.SPAN and self.instance.dataset_id:
            field_names = Field.objects.filter(dataset_id=self.instance.dataset_id).values_list("name", flat=True)
        try:
            data["settings"] = validation.normalize_question_settings(
                question_type, data.get("settings"), name=name, field_names=field_names
            )
        except DomainError as exc:
            self.add_error("settings", exc.message)
        return data


class MetadataPropertyForm(FrozenOnExistingForm, forms.ModelForm):
    # No service changes a saved property: it can be added or deleted only.
    frozen_on_existing = ("name", "title", "type", "settings", "visible_for_annotators")

    class Meta:
        model = MetadataProperty
        fields = ("name", "title", "type", "settings", "visible_for_annotators")
        help_texts = {"settings": 'terms: {"values": ["a", "b"]} or {}; integer / float: {"min": 0, "max": 10} or {}.'}

    def clean_name(self):
        name = self.cleaned_data["name"]
        domain_error_to_validation(validation.check_schema_name, name, "metadata property")
        return name

    def clean(self):
        data = super().clean()
        if self.instance._state.adding and data.get("name") and data.get("type") and "settings" not in self.errors:
            try:
                data["settings"] = validation.normalize_metadata_settings(
                    data["type"], data.get("settings"), name=data["name"]
                )
            except DomainError as exc:
                self.add_error("settings", exc.message)
        return data


class SchemaInline(TenantInline):
    extra = 0
    readonly_fields = ("position",)

    def has_add_permission(self, request, obj=None):
        # Fields and questions are added to drafts only (the service refuses otherwise).
        draft_only = self.model is not MetadataProperty
        if draft_only and obj is not None and obj.status != Dataset.Status.DRAFT:
            return False
        return super().has_add_permission(request, obj)


class FieldInline(SchemaInline, admin.TabularInline):
    model = Field
    form = FieldForm
    fields = ("name", "title", "required", "use_markdown", "position")


class QuestionInline(SchemaInline, admin.StackedInline):
    model = Question
    form = QuestionForm
    fields = (("name", "type", "required"), "title", "description", "settings", "position")


class MetadataPropertyInline(SchemaInline, admin.TabularInline):
    model = MetadataProperty
    form = MetadataPropertyForm
    fields = ("name", "title", "type", "settings", "visible_for_annotators", "position")


@admin.register(Dataset)
class DatasetAdmin(TenantAdmin):
    form = DatasetForm
    list_display = (
        "name",
        "workspace",
        "status",
        "distribution",
        "min_submitted",
        "record_count",
        "completed_count",
        "inserted_at",
    )
    list_select_related = ("workspace",)
    list_filter = (WorkspaceFilter, "status", "distribution")
    search_fields = ("name",)
    inlines = (FieldInline, QuestionInline, MetadataPropertyInline)
    actions = ("publish", *DATASET_ACTIONS, *JOB_ACTIONS)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("workspace", "status", "inserted_at", "last_activity_at")

    def get_fields(self, request, obj=None):
        fields = list(DatasetForm.Meta.fields)
        return fields if obj is None else [*fields[:2], "status", *fields[2:], "inserted_at", "last_activity_at"]

    def annotate_changelist(self, queryset):
        return (
            super()
            .annotate_changelist(queryset)
            .annotate(
                record_count=related_count(Record, "dataset"),
                completed_count=related_count(Record, "dataset", status=Record.Status.COMPLETED),
            )
        )

    @admin.display(description="records", ordering="record_count")
    def record_count(self, obj):
        return obj.record_count

    @admin.display(description="completed", ordering="completed_count")
    def completed_count(self, obj):
        return obj.completed_count

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            dataset = services.dataset_create(
                actor=request.user,
                workspace=data["workspace"],
                name=data["name"],
                guidelines=data.get("guidelines") or "",
                min_submitted=data["min_submitted"],
                distribution=data["distribution"],
                allow_extra_metadata=data["allow_extra_metadata"],
            )
            adopt(obj, dataset)
            return
        changes = {name: data[name] for name in form.changed_data if name in DatasetForm.Meta.fields}
        if changes:
            adopt(obj, services.dataset_update(actor=request.user, dataset=obj, **changes))

    def save_formset(self, request, form, formset, change):
        """Schema rows go through the schema services: new rows are created, saved ones updated where a
        service allows it, deleted ones removed unless that would orphan data."""
        dataset = form.instance
        actor = request.user
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            if formset._should_delete_form(row):
                services.schema_item_delete(actor=actor, item=row.instance)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed() and formset.model in (Field, Question):
                # The form has already written its values onto row.instance; the services compare
                # against what is stored (e.g. frozen options), so they get a fresh copy.
                current = formset.model.objects.select_related("dataset").get(pk=row.instance.pk)
                data = row.cleaned_data
                if formset.model is Field:
                    item = services.field_update(
                        actor=actor, field=current, title=data["title"], use_markdown=data["use_markdown"]
                    )
                else:
                    item = services.question_update(
                        actor=actor,
                        question=current,
                        title=data["title"],
                        description=data.get("description"),
                        required=data["required"],
                        settings=data.get("settings"),
                    )
                formset.changed_objects.append((item, row.changed_data))
        create = {
            Field: services.field_create,
            Question: services.question_create,
            MetadataProperty: services.metadata_property_create,
        }[formset.model]
        for row in formset.extra_forms:
            if row.has_changed() and not formset._should_delete_form(row):
                spec = {
                    name: value
                    for name, value in row.cleaned_data.items()
                    if name in row._meta.fields and name != formset.fk.name
                }
                formset.new_objects.append(create(actor=actor, dataset=dataset, **spec))

    @admin.action(description="Publish the selected datasets", permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for dataset in queryset:
            try:
                services.dataset_publish(actor=request.user, dataset=dataset)
                published += 1
            except DomainError as exc:
                self.message_user(request, f"{dataset.name}: {exc.message}", messages.ERROR)
        if published:
            self.message_user(request, f"Published {published} dataset(s).", messages.SUCCESS)

    def delete_model(self, request, obj):
        services.dataset_delete(actor=request.user, dataset=obj)

    def delete_queryset(self, request, queryset):
        for dataset in queryset:
            services.dataset_delete(actor=request.user, dataset=dataset)

    def get_deleted_objects(self, objs, request):
        """Summarise what goes with the datasets by counts: Django would fetch every record to list it."""
        ids = [obj.pk for obj in objs]
        counts = {
            "records": Record.objects.filter(dataset_id__in=ids).count(),
            "responses": Response.objects.filter(record__dataset_id__in=ids).count(),
            "suggestions": Suggestion.objects.filter(record__dataset_id__in=ids).count(),
            "assignments": Assignment.objects.filter(record__dataset_id__in=ids).count(),
        }
        return [str(obj) for obj in objs], {k: v for k, v in counts.items() if v}, set(), []


# --- records ------------------------------------------------------------------------------------


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
            result = services.records_upsert(actor=request.user, dataset=data["dataset"], items=[item])
            adopt(obj, result.records[0])
            return
        current = Record.objects.select_related("dataset").get(pk=obj.pk)
        record = services.record_update(
            actor=request.user,
            record=current,
            fields=data["fields"],
            metadata=data.get("metadata") or {},
            external_id=external_id,
        )
        adopt(obj, record)

    def delete_model(self, request, obj):
        services.records_delete(actor=request.user, dataset=obj.dataset, record_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        rows = sorted(queryset.values_list("dataset_id", "pk"), key=lambda row: str(row[0]))
        datasets = Dataset.objects.in_bulk({dataset_id for dataset_id, _ in rows})
        for dataset_id, group in groupby(rows, key=lambda row: row[0]):
            services.records_delete(
                actor=request.user, dataset=datasets[dataset_id], record_ids=[pk for _, pk in group]
            )

    def get_deleted_objects(self, objs, request):
        """Summarise by counts: a bulk delete may cover thousands of records."""
        ids = [obj.pk for obj in objs]
        counts = {
            "responses": Response.objects.filter(record_id__in=ids).count(),
            "suggestions": Suggestion.objects.filter(record_id__in=ids).count(),
            "assignments": Assignment.objects.filter(record_id__in=ids).count(),
        }
        return [str(obj) for obj in objs], {k: v for k, v in counts.items() if v}, set(), []


# --- responses, assignments, claims -------------------------------------------------------------


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
    fields = ("record", "user", "status", "readable_values", "started_at", "submitted_at", "inserted_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="dataset", ordering="record__dataset__name")
    def dataset(self, obj):
        return obj.record.dataset

    @admin.display(description="values")
    def readable_values(self, obj):
        return pretty_json(obj.values)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.response_delete(actor=request.user, response=obj)

    def delete_queryset(self, request, queryset):
        for response in queryset.select_related("record__dataset"):
            services.response_delete(actor=request.user, response=response)


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
        adopt(
            obj,
            services.assignment_add(
                actor=request.user, record=form.cleaned_data["record"], user=form.cleaned_data["user"]
            ),
        )


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


# --- workspaces ---------------------------------------------------------------------------------

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
