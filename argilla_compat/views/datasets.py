"""Datasets and their settings: Argilla's draft → fields/questions/metadata → publish lifecycle (§4.3)."""

from accounts.selectors import workspace_get
from config.ids import parse_uuid
from labeling.access import DatasetAccess
from labeling.models import Dataset, Field, MetadataProperty, Question
from labeling.selectors.lookups import dataset_access, dataset_access_for, dataset_list, records_readable
from labeling.selectors.progress import dataset_progress
from labeling.services import datasets as dataset_services

from .. import shapes
from ..http import Call, json_response, unprocessable
from ..selectors import metadata_properties_shown, own_response_counts, response_counts_by_user, schema_item_get


def _access(call: Call, dataset_id) -> DatasetAccess:
    return dataset_access(user=call.user, dataset_id=parse_uuid(dataset_id))


def _dataset(call: Call, dataset_id) -> Dataset:
    return _access(call, dataset_id).dataset


def _settings(body: dict) -> dict:
    settings = body.get("settings")
    if not isinstance(settings, dict) or not isinstance(settings.get("type"), str):
        raise unprocessable("settings must be an object with a 'type'.")
    return settings


def _min_submitted(distribution) -> int:
    """Argilla's `TaskDistribution` is our `min_submitted`; only the overlap strategy exists."""
    if not isinstance(distribution, dict) or distribution.get("strategy", "overlap") != "overlap":
        raise unprocessable("distribution must be {'strategy': 'overlap', 'min_submitted': n}.")
    return distribution.get("min_submitted", 1)


def my_datasets(call: Call):
    workspace_id = call.request.GET.get("workspace_id")
    datasets = dataset_list(user=call.user, workspace_id=parse_uuid(workspace_id) if workspace_id else None)
    return json_response({"items": [shapes.dataset(d) for d in datasets.order_by("inserted_at")]})


def dataset_create(call: Call):
    body = call.body
    workspace = workspace_get(user=call.user, workspace_id=parse_uuid(body.get("workspace_id")))
    options = {}
    if body.get("distribution") is not None:
        options["min_submitted"] = _min_submitted(body["distribution"])
    if body.get("allow_extra_metadata") is not None:
        options["allow_extra_metadata"] = bool(body["allow_extra_metadata"])
    dataset = dataset_services.dataset_create(
        actor=call.user, workspace=workspace, name=body.get("name"), guidelines=body.get("guidelines") or "", **options
    )
    return json_response(shapes.dataset(dataset), status=201)


def dataset_detail(call: Call, dataset_id):
    return json_response(shapes.dataset(_dataset(call, dataset_id)))


def dataset_patch(call: Call, dataset_id):
    access = _access(call, dataset_id)
    body = call.body
    changes = {}
    for key in ("name", "allow_extra_metadata", "distribution"):
        if key in body and body[key] is None:
            raise unprocessable(f"'{key}' cannot be null.")
    if "name" in body:
        changes["name"] = body["name"]
    if "guidelines" in body:
        changes["guidelines"] = body["guidelines"] or ""
    if "allow_extra_metadata" in body:
        changes["allow_extra_metadata"] = bool(body["allow_extra_metadata"])
    if "distribution" in body:
        changes["min_submitted"] = _min_submitted(body["distribution"])
    dataset = dataset_services.dataset_update(access=access, **changes)
    return json_response(shapes.dataset(dataset))


def dataset_delete(call: Call, dataset_id):
    access = _access(call, dataset_id)
    shaped = shapes.dataset(access.dataset)
    dataset_services.dataset_delete(access=access)
    return json_response(shaped)


def dataset_publish(call: Call, dataset_id):
    access = _access(call, dataset_id)
    access.require_admin()
    dataset = access.dataset
    # Ours is idempotent; Argilla refuses to publish twice.
    if dataset.status == Dataset.Status.READY:
        raise unprocessable("The dataset is already published.")
    return json_response(shapes.dataset(dataset_services.dataset_publish(access=access)))


def fields(call: Call, dataset_id):
    dataset = _dataset(call, dataset_id)
    return json_response({"items": [shapes.field(f) for f in dataset.fields.all()]})


def field_create(call: Call, dataset_id):
    access, body = _access(call, dataset_id), call.body
    settings = _settings(body)
    field = dataset_services.field_create(
        access=access, name=body.get("name"), title=body.get("title"),
        required=body.get("required", True), type=settings["type"], use_markdown=settings.get("use_markdown", False),
    )
    return json_response(shapes.field(field), status=201)


def questions(call: Call, dataset_id):
    dataset = _dataset(call, dataset_id)
    return json_response({"items": [shapes.question(q) for q in dataset.questions.all()]})


def question_create(call: Call, dataset_id):
    access, body = _access(call, dataset_id), call.body
    settings = _settings(body)
    question = dataset_services.question_create(
        access=access, name=body.get("name"), title=body.get("title"),
        description=body.get("description"), required=body.get("required", True), type=settings["type"],
        settings=settings,
    )
    return json_response(shapes.question(question), status=201)


def metadata_properties(call: Call, dataset_id):
    props = metadata_properties_shown(access=_access(call, dataset_id))
    return json_response({"items": [shapes.metadata_property(p) for p in props]})


def metadata_property_create(call: Call, dataset_id):
    access, body = _access(call, dataset_id), call.body
    settings = _settings(body)
    prop = dataset_services.metadata_property_create(
        access=access, name=body.get("name"), title=body.get("title"), type=settings["type"],
        settings=settings, visible_for_annotators=body.get("visible_for_annotators", True),
    )
    return json_response(shapes.metadata_property(prop), status=201)


def vectors_settings(call: Call, dataset_id):
    _dataset(call, dataset_id)
    return json_response({"items": []})


def vectors_settings_create(call: Call, dataset_id):
    _access(call, dataset_id).require_admin()
    raise unprocessable("Vector settings are not supported by this server.")


def metrics(call: Call, dataset_id):
    """The 1.29 shape: `records.count` (all records the caller may read) and the caller's responses."""
    access = _access(call, dataset_id)
    counts = own_response_counts(access=access)
    return json_response({
        "records": {"count": records_readable(access=access).count()},
        "responses": {"count": sum(counts.values()), **counts},
    })


def progress(call: Call, dataset_id):
    records = dataset_progress(dataset=_dataset(call, dataset_id))["records"]
    return json_response({"total": records["total"], "completed": records["completed"], "pending": records["pending"]})


def users_progress(call: Call, dataset_id):
    """Per user: responses counted by the record's status × the response's status."""
    return json_response({"users": response_counts_by_user(access=_access(call, dataset_id))})


# --- one field, question or metadata property (argilla-compat.md §7) ----------------------------


def _item_access(call: Call, item: Field | Question | MetadataProperty) -> DatasetAccess:
    """The caller's access to the dataset of an item they reached by its own id."""
    return dataset_access_for(user=call.user, dataset=item.dataset)


def field_patch(call: Call, field_id):
    field, body = schema_item_get(user=call.user, model=Field, item_id=parse_uuid(field_id)), call.body
    settings = body.get("settings") if isinstance(body.get("settings"), dict) else {}
    field = dataset_services.field_update(access=_item_access(call, field), field=field, title=body.get("title"),
                                          use_markdown=settings.get("use_markdown"))
    return json_response(shapes.field(field))


def question_patch(call: Call, question_id):
    question, body = schema_item_get(user=call.user, model=Question, item_id=parse_uuid(question_id)), call.body
    question = dataset_services.question_update(
        access=_item_access(call, question), question=question, title=body.get("title"),
        description=body.get("description"), required=body.get("required"), settings=body.get("settings") if isinstance(body.get("settings"), dict) else None,
    )
    return json_response(shapes.question(question))


def _schema_item_delete(call: Call, model, item_id, render):
    item = schema_item_get(user=call.user, model=model, item_id=parse_uuid(item_id))
    shaped = render(item)
    dataset_services.schema_item_delete(access=_item_access(call, item), item=item)
    return json_response(shaped)


def field_delete(call: Call, field_id):
    return _schema_item_delete(call, Field, field_id, shapes.field)


def question_delete(call: Call, question_id):
    return _schema_item_delete(call, Question, question_id, shapes.question)


def metadata_property_delete(call: Call, property_id):
    return _schema_item_delete(call, MetadataProperty, property_id, shapes.metadata_property)
