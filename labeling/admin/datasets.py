"""Admin for datasets with their schema inline (DESIGN §6).

Per-row counts are subqueries of the page's one query. Writes go through `labeling.services`; the schema
forms run the same pure validation rules first, so the admin cannot store what the API would refuse.
"""

from django import forms
from django.contrib import admin, messages

from accounts.admin import WorkspaceFilter
from config.admin import (
    FrozenOnExistingForm,
    TenantAdmin,
    TenantInline,
    adopt,
    domain_error_to_validation,
    related_count,
)
from config.errors import DomainError
from config.names import check_dataset_name
from labeling import validation
from labeling.admin_actions import DATASET_ACTIONS
from labeling.models import Assignment, Dataset, Field, MetadataProperty, Question, Record, Response, Suggestion
from labeling.selectors.lookups import dataset_access_for
from labeling.services import datasets as dataset_services


class DatasetForm(forms.ModelForm):
    class Meta:
        model = Dataset
        fields = ("workspace", "name", "guidelines", "min_submitted", "distribution", "allow_extra_metadata", "review",
                  "review_sample_percent", "routing_property", "routing_fallback_hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "routing_property" in self.fields:
            # Routing names a saved terms property: a new dataset gets its properties first, then routing.
            terms = self.instance.metadata_properties.filter(type=MetadataProperty.Type.TERMS) if self.instance.pk else []
            self.fields["routing_property"].widget = forms.Select(
                choices=[("", "— no routing —"), *((prop.name, prop.name) for prop in terms)]
            )

    def clean_name(self):
        return domain_error_to_validation(check_dataset_name, self.cleaned_data["name"])

    def review_setting(self) -> dict:
        """The review mode and, with sampled review only, its share (the services refuse it otherwise)."""
        review = self.cleaned_data.get("review")
        percent = self.cleaned_data.get("review_sample_percent")
        return {"review": review, "review_sample_percent": percent if review == Dataset.Review.SAMPLED else None}

    def clean(self):
        data = super().clean()
        if "review" in data and "review_sample_percent" not in self.errors:
            try:
                dataset_services.check_review_setting(**self.review_setting())
            except DomainError as exc:
                self.add_error("review_sample_percent", exc.message)
        return data


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
        "review",
        "record_count",
        "completed_count",
        "inserted_at",
    )
    list_select_related = ("workspace",)
    list_filter = (WorkspaceFilter, "status", "distribution", "review")
    search_fields = ("name",)
    inlines = (FieldInline, QuestionInline, MetadataPropertyInline)
    actions = ("publish", *DATASET_ACTIONS)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("workspace", "status", "inserted_at", "last_activity_at")

    def get_fields(self, request, obj=None):
        fields = list(DatasetForm.Meta.fields)
        if obj is None:
            return [name for name in fields if name != "routing_property"]
        return [*fields[:2], "status", *fields[2:], "inserted_at", "last_activity_at"]

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
            dataset = dataset_services.dataset_create(
                actor=request.user,
                workspace=data["workspace"],
                name=data["name"],
                guidelines=data.get("guidelines") or "",
                min_submitted=data["min_submitted"],
                distribution=data["distribution"],
                allow_extra_metadata=data["allow_extra_metadata"],
                **form.review_setting(),
                routing_fallback_hours=data.get("routing_fallback_hours"),
            )
            adopt(obj, dataset)
            return
        changes = {name: data[name] for name in form.changed_data if name in DatasetForm.Meta.fields}
        if {"review", "review_sample_percent"} & set(changes):
            changes.update(form.review_setting())
        if changes:
            adopt(obj, dataset_services.dataset_update(
                access=dataset_access_for(user=request.user, dataset=obj), **changes
            ))

    def save_formset(self, request, form, formset, change):
        """Schema rows go through the schema services: new rows are created, saved ones updated where a
        service allows it, deleted ones removed unless that would orphan data."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        access = dataset_access_for(user=request.user, dataset=form.instance)
        for row in formset.initial_forms:
            if formset._should_delete_form(row):
                dataset_services.schema_item_delete(access=access, item=row.instance)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed() and formset.model in (Field, Question):
                # The form has already written its values onto row.instance; the services compare
                # against what is stored (e.g. frozen options), so they get a fresh copy.
                current = formset.model.objects.select_related("dataset").get(pk=row.instance.pk)
                data = row.cleaned_data
                if formset.model is Field:
                    item = dataset_services.field_update(
                        access=access, field=current, title=data["title"], use_markdown=data["use_markdown"]
                    )
                else:
                    item = dataset_services.question_update(
                        access=access,
                        question=current,
                        title=data["title"],
                        description=data.get("description"),
                        required=data["required"],
                        settings=data.get("settings"),
                    )
                formset.changed_objects.append((item, row.changed_data))
        create = {
            Field: dataset_services.field_create,
            Question: dataset_services.question_create,
            MetadataProperty: dataset_services.metadata_property_create,
        }[formset.model]
        for row in formset.extra_forms:
            if row.has_changed() and not formset._should_delete_form(row):
                spec = {
                    name: value
                    for name, value in row.cleaned_data.items()
                    if name in row._meta.fields and name != formset.fk.name
                }
                formset.new_objects.append(create(access=access, **spec))

    @admin.action(description="Publish the selected datasets", permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for dataset in queryset:
            try:
                dataset_services.dataset_publish(access=dataset_access_for(user=request.user, dataset=dataset))
                published += 1
            except DomainError as exc:
                self.message_user(request, f"{dataset.name}: {exc.message}", messages.ERROR)
        if published:
            self.message_user(request, f"Published {published} dataset(s).", messages.SUCCESS)

    def delete_model(self, request, obj):
        dataset_services.dataset_delete(access=dataset_access_for(user=request.user, dataset=obj))

    def delete_queryset(self, request, queryset):
        for dataset in queryset:
            dataset_services.dataset_delete(access=dataset_access_for(user=request.user, dataset=dataset))

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
