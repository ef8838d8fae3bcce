"""Datasets and their schema: create, update, publish, delete; fields, questions, metadata properties (DESIGN §3)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from accounts import tenancy
from accounts.errors import NameTaken
from accounts.models import User, Workspace
from config.errors import InvalidInput
from config.names import check_dataset_name

from .. import validation
from ..access import DatasetAccess
from ..errors import DatasetNotDraft, SchemaFrozen
from ..models import Dataset, Field, MetadataProperty, Question, Record


def _is_frozen(dataset: Dataset) -> bool:
    """DESIGN §3: the schema is frozen once the dataset is ready and holds records."""
    return dataset.status == Dataset.Status.READY and dataset.records.exists()


def _require_draft(dataset: Dataset, what: str) -> None:
    if dataset.status != Dataset.Status.DRAFT:
        raise DatasetNotDraft(f"{what} can only be added while the dataset is a draft; '{dataset.name}' is published.")


def _check_choice(value: Any, choices: type, name: str) -> None:
    if value not in choices.values:
        raise InvalidInput(f"{name} must be one of: {', '.join(choices.values)}.", details={"field": name})


def _check_min_submitted(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput("min_submitted must be a whole number of at least 1.", details={"field": "min_submitted"})


def check_review_setting(review: Any, review_sample_percent: Any, *, was_sampled: bool = False) -> None:
    """The review setting: a mode, and with `sampled` a share of 1–100 % (given when sampling starts)."""
    _check_choice(review, Dataset.Review, "review")
    if review_sample_percent is None:
        if review == Dataset.Review.SAMPLED and not was_sampled:
            raise InvalidInput("Sampled review needs review_sample_percent (1–100).",
                               details={"field": "review_sample_percent"})
        return
    if review != Dataset.Review.SAMPLED:
        raise InvalidInput("review_sample_percent applies to sampled review only.",
                           details={"field": "review_sample_percent"})
    percent = review_sample_percent
    if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 100:
        raise InvalidInput("review_sample_percent must be a whole number from 1 to 100.",
                           details={"field": "review_sample_percent"})


MAX_ROUTING_FALLBACK_HOURS = 24 * 366


def _check_routing_fallback_hours(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ROUTING_FALLBACK_HOURS:
        raise InvalidInput(f"routing_fallback_hours must be a whole number of hours from 1 to {MAX_ROUTING_FALLBACK_HOURS}, "
                           "or null to never fall back.", details={"field": "routing_fallback_hours"})


def _check_routing_property(dataset: Dataset, name: Any) -> None:
    """Routing names one of the dataset's terms metadata properties (issue #19), or nothing ("")."""
    if name == "":
        return
    terms = dataset.metadata_properties.filter(type=MetadataProperty.Type.TERMS)
    if not isinstance(name, str) or not terms.filter(name=name).exists():
        names = ", ".join(terms.order_by("name").values_list("name", flat=True)) or "none yet"
        raise InvalidInput(f"routing_property must name one of this dataset's terms metadata properties ({names}), "
                           "or be empty to turn routing off.", details={"field": "routing_property"})


def dataset_create(
    *,
    actor: User,
    workspace: Workspace,
    name: str,
    guidelines: str = "",
    min_submitted: int = 1,
    distribution: str = Dataset.Distribution.OPEN,
    allow_extra_metadata: bool = True,
    review: str = Dataset.Review.OFF,
    review_sample_percent: int | None = None,
    routing_property: str = "",
    routing_fallback_hours: int | None = None,
    fields: Sequence[Mapping] = (),
    questions: Sequence[Mapping] = (),
    metadata_properties: Sequence[Mapping] = (),
) -> Dataset:
    """Create a draft dataset, optionally with its fields, questions and metadata properties; with
    `review="sampled"`, `review_sample_percent` says which share of the answers goes to review."""
    tenancy.require_workspace_admin(actor, workspace.pk)
    check_dataset_name(name)
    _check_min_submitted(min_submitted)
    _check_choice(distribution, Dataset.Distribution, "distribution")
    check_review_setting(review, review_sample_percent)
    _check_routing_fallback_hours(routing_fallback_hours)
    try:
        with transaction.atomic():
            dataset = Dataset.objects.create(
                workspace=workspace,
                name=name,
                guidelines=guidelines or "",
                min_submitted=min_submitted,
                distribution=distribution,
                allow_extra_metadata=allow_extra_metadata,
                review=review,
                review_sample_percent=review_sample_percent or 100,
                routing_property=routing_property,
                routing_fallback_hours=routing_fallback_hours,
            )
            for spec in fields:
                _field_insert(dataset, **spec)
            for spec in questions:
                _question_insert(dataset, **spec)
            for spec in metadata_properties:
                _metadata_property_insert(dataset, **spec)
            _check_routing_property(dataset, routing_property)
    except IntegrityError:
        raise NameTaken(f"A dataset named '{name}' already exists in this workspace.", details={"field": "name"}) from None
    return dataset


def _check_unique_name(dataset: Dataset, model, name: str, kind: str) -> None:
    """Say which name is taken before the unique constraint would (the constraint still guards races)."""
    if model.objects.filter(dataset=dataset, name=name).exists():
        raise NameTaken(f"The {kind} name '{name}' is already used in this dataset.", details={"field": "name"})


def _field_insert(dataset: Dataset, *, name: str, title: str | None = None, required: bool = True,
                  use_markdown: bool = False, type: str = "text", **_ignored: Any) -> Field:
    validation.check_schema_name(name, "field")
    _check_unique_name(dataset, Field, name, "field")
    if type != Field.Type.TEXT:
        raise InvalidInput(f"Field '{name}': only text fields are supported.", details={"field": name})
    position = dataset.fields.count()
    return Field.objects.create(
        dataset=dataset, name=name, title=title or name, required=bool(required),
        use_markdown=bool(use_markdown), position=position,
    )


def _question_insert(dataset: Dataset, *, name: str, type: str, title: str | None = None,
                     description: str | None = None, required: bool = True, settings: Mapping | None = None,
                     **_ignored: Any) -> Question:
    validation.check_schema_name(name, "question")
    _check_unique_name(dataset, Question, name, "question")
    normalized = validation.normalize_question_settings(
        type, settings, name=name, field_names=dataset.fields.values_list("name", flat=True)
    )
    position = dataset.questions.count()
    return Question.objects.create(
        dataset=dataset, name=name, type=type, title=title or name, description=description,
        required=bool(required), settings=normalized, position=position,
    )


def _metadata_property_insert(dataset: Dataset, *, name: str, type: str, title: str | None = None,
                              settings: Mapping | None = None, visible_for_annotators: bool = True,
                              **_ignored: Any) -> MetadataProperty:
    validation.check_schema_name(name, "metadata property")
    _check_unique_name(dataset, MetadataProperty, name, "metadata property")
    normalized = validation.normalize_metadata_settings(type, settings, name=name)
    position = dataset.metadata_properties.count()
    return MetadataProperty.objects.create(
        dataset=dataset, name=name, type=type, title=title or name, settings=normalized,
        visible_for_annotators=bool(visible_for_annotators), position=position,
    )


def _schema_add(access: DatasetAccess, kind: str, insert, spec: Mapping):
    access.require_admin()
    try:
        with transaction.atomic():
            locked = Dataset.objects.select_for_update().get(pk=access.dataset.pk)
            if kind != "Metadata properties":
                _require_draft(locked, kind)
            return insert(locked, **spec)
    except IntegrityError:
        raise NameTaken("That name is already used in this dataset.", details={"field": "name"}) from None


def field_create(*, access: DatasetAccess, **spec: Any) -> Field:
    """Add a field to a draft dataset."""
    return _schema_add(access, "Fields", _field_insert, spec)


def question_create(*, access: DatasetAccess, **spec: Any) -> Question:
    """Add a question to a draft dataset."""
    return _schema_add(access, "Questions", _question_insert, spec)


def metadata_property_create(*, access: DatasetAccess, **spec: Any) -> MetadataProperty:
    """Add a metadata property (allowed on published datasets: it orphans nothing)."""
    return _schema_add(access, "Metadata properties", _metadata_property_insert, spec)


def field_update(*, access: DatasetAccess, field: Field, title: str | None = None,
                 use_markdown: bool | None = None) -> Field:
    """Change what is safe to change at any time of a field of the accessed dataset: the title and markdown
    rendering."""
    access.require_admin()
    with transaction.atomic():
        if title is not None:
            field.title = title
        if use_markdown is not None:
            field.use_markdown = bool(use_markdown)
        field.save()
    return field


def question_update(*, access: DatasetAccess, question: Question, title: str | None = None,
                    description: str | None = None, required: bool | None = None,
                    settings: Mapping | None = None) -> Question:
    """Change a question of the accessed dataset. Once the schema is frozen only titles, descriptions and
    option labels change."""
    access.require_admin()
    dataset = access.dataset
    with transaction.atomic():
        frozen = _is_frozen(dataset)
        if title is not None:
            question.title = title
        if description is not None:
            question.description = description
        if required is not None and bool(required) != question.required:
            if frozen:
                raise SchemaFrozen("Whether a question is required cannot change once the dataset has records.")
            question.required = bool(required)
        if settings is not None:
            merged = {**question.settings, **settings, "type": question.type}
            normalized = validation.normalize_question_settings(
                question.type, merged, name=question.name, field_names=dataset.fields.values_list("name", flat=True)
            )
            if frozen and validation.option_values(normalized) != validation.option_values(question.settings):
                raise SchemaFrozen(
                    "Options cannot be added, removed or reordered once the dataset has records; only their labels can change."
                )
            question.settings = normalized
        question.save()
    return question


def schema_item_delete(*, access: DatasetAccess, item: Field | Question | MetadataProperty) -> None:
    """Delete a field, question or metadata property of the accessed dataset, unless that would orphan data."""
    access.require_admin()
    dataset = access.dataset
    with transaction.atomic():
        if not isinstance(item, MetadataProperty) and _is_frozen(dataset):
            raise SchemaFrozen(f"'{item.name}' cannot be deleted: the dataset is published and holds records.")
        if isinstance(item, MetadataProperty) and item.name == Dataset.objects.get(pk=dataset.pk).routing_property:
            raise InvalidInput(f"'{item.name}' routes this dataset's records: turn routing off or route by another "
                               "property first.", details={"field": "routing_property"})
        item.delete()


def dataset_update(*, access: DatasetAccess, **changes: Any) -> Dataset:
    """Update the accessed dataset's settings; a new min_submitted re-derives every record's status.

    A new review setting applies to answers submitted from then on; those already waiting stay in the queue.
    """
    access.require_admin()
    allowed = {"name", "guidelines", "min_submitted", "distribution", "allow_extra_metadata", "review",
               "review_sample_percent", "routing_property", "routing_fallback_hours"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in changes:
        check_dataset_name(changes["name"])
    if "min_submitted" in changes:
        _check_min_submitted(changes["min_submitted"])
    if "distribution" in changes:
        _check_choice(changes["distribution"], Dataset.Distribution, "distribution")
    if changes.get("review_sample_percent", 0) is None:
        del changes["review_sample_percent"]
    if "review" in changes or "review_sample_percent" in changes:
        current = access.dataset.review
        check_review_setting(changes.get("review", current), changes.get("review_sample_percent"),
                      was_sampled=current == Dataset.Review.SAMPLED)
    if "routing_fallback_hours" in changes:
        _check_routing_fallback_hours(changes["routing_fallback_hours"])
    try:
        with transaction.atomic():
            locked = Dataset.objects.select_for_update().get(pk=access.dataset.pk)
            if "routing_property" in changes:
                _check_routing_property(locked, changes["routing_property"])
            for key, value in changes.items():
                setattr(locked, key, value if key != "guidelines" else (value or ""))
            locked.save()
            if "min_submitted" in changes:
                _records_recompute_status(locked)
    except IntegrityError:
        raise NameTaken(f"A dataset named '{changes.get('name')}' already exists in this workspace.",
                        details={"field": "name"}) from None
    return locked


def _records_recompute_status(dataset: Dataset) -> None:
    """Re-derive every record's status after a change of `min_submitted`, writing only those that change."""
    rule = Record.status_expression(dataset.min_submitted)
    Record.objects.filter(dataset=dataset).alias(derived=rule).exclude(status=F("derived")).update(status=rule)


def dataset_publish(*, access: DatasetAccess) -> Dataset:
    """Move the accessed dataset from draft to ready: it needs at least one field and one required question."""
    access.require_admin()
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=access.dataset.pk)
        if locked.status == Dataset.Status.READY:
            return locked
        if not locked.fields.exists():
            raise InvalidInput("Add at least one field before publishing.", code="dataset_incomplete")
        if not locked.questions.filter(required=True).exists():
            raise InvalidInput("Add at least one required question before publishing.", code="dataset_incomplete")
        locked.status = Dataset.Status.READY
        locked.save(update_fields=["status", "updated_at"])
    return locked


def dataset_delete(*, access: DatasetAccess) -> None:
    """Delete the accessed dataset with everything in it."""
    access.require_admin()
    with transaction.atomic():
        access.dataset.delete()


