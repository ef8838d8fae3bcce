"""Reads this package needs that have no use elsewhere, built on the tenancy querysets (STYLE §3)."""

from accounts.models import User
from config.errors import NotFound
from labeling.models import Field, MetadataProperty, Question


def schema_item_get(*, user: User, model: type[Field | Question | MetadataProperty], item_id) -> Field | Question | MetadataProperty:
    """A field, question or metadata property of a dataset the user may read; NotFound otherwise.

    Argilla addresses these by their own id (`/api/v1/fields/{id}`), without the dataset in the path.
    """
    try:
        return model.objects.visible_to(user).select_related("dataset").get(pk=item_id)
    except model.DoesNotExist:
        raise NotFound(f"{model._meta.verbose_name.capitalize()} not found.") from None


RECORD_COLUMNS = ("id", "status", "fields", "metadata", "external_id", "dataset_id", "inserted_at", "updated_at")
SUGGESTION_COLUMNS = ("id", "record_id", "question_id", "type", "value", "score", "agent", "inserted_at", "updated_at")
RESPONSE_COLUMNS = ("id", "record_id", "user_id", "values", "status", "inserted_at", "updated_at")


def record_rows(*, user: User, dataset, records, responses: bool, suggestions: bool) -> list[dict]:
    """One page of records as plain rows, with their suggestions and the responses the user may see.

    `records` is an ordered, sliced queryset from `labeling.selectors.record_list` (already scoped);
    three queries in all and no model instances, which is most of the cost of a 250-record page.
    """
    from labeling.models import Suggestion
    from labeling.selectors.responses import response_list

    rows = list(records.values(*RECORD_COLUMNS))
    ids = [row["id"] for row in rows]
    for row in rows:
        row["responses"], row["suggestions"] = [], []
    by_id = {row["id"]: row for row in rows}
    if responses and ids:
        for answer in (response_list(user=user, dataset=dataset).filter(record_id__in=ids)
                       .order_by("inserted_at").values(*RESPONSE_COLUMNS)):
            by_id[answer["record_id"]]["responses"].append(answer)
    if suggestions and ids:
        for suggestion in Suggestion.objects.filter(record_id__in=ids).order_by("inserted_at").values(*SUGGESTION_COLUMNS):
            by_id[suggestion["record_id"]]["suggestions"].append(suggestion)
    return rows
