"""Responses and suggestions as the caller may see them: the API's lists, the portal's own answers."""

from django.db.models import Q

from accounts.models import User
from config.errors import NotFound
from config.ids import parse_uuid

from ..access import DatasetAccess
from ..models import Dataset, Record, Response, Suggestion


def response_list(*, access: DatasetAccess):
    """Responses of a dataset: all of them for its admins, only their own for annotators; each with
    its `review_comment`."""
    user = access.user
    responses = Response.objects.visible_to(user).filter(record__dataset=access.dataset).with_review_comment()
    responses = responses.select_related("record", "user")
    if not access.is_admin:
        responses = responses.filter(user_id=user.pk)
    return responses


def response_get(*, user: User, response_id) -> Response:
    try:
        return Response.objects.visible_to(user).select_related("record__dataset__workspace").get(pk=parse_uuid(response_id))
    except Response.DoesNotExist:
        raise NotFound("Response not found.") from None


def response_own(*, user: User, record: Record) -> Response | None:
    """The user's own response to a record, if any (never another labeler's), with its `review_comment`."""
    return Response.objects.filter(record=record, user_id=user.pk).with_review_comment().first()


def suggestions_for_record(*, record: Record) -> dict:
    """The record's suggestions keyed by question id (one query); the caller has fetched the record via record_get."""
    return {s.question_id: s for s in Suggestion.objects.filter(record=record)}


def response_previous(*, user: User, dataset: Dataset, before: Response | None = None):
    """Id of the record the user answered just before `before` (their latest answer when None), or None."""
    responses = Response.objects.filter(user_id=user.pk, record__dataset=dataset)
    if before is not None:
        responses = responses.filter(inserted_at__lt=before.inserted_at)
    return responses.order_by("-inserted_at").values_list("record_id", flat=True).first()


def my_responses(*, user: User, status: str | None = None, search: str | None = None, dataset_id=None):
    """The user's own responses across the datasets they may read, newest change first.

    `search` matches the answer values, the record's fields and its external id (case-insensitive).
    """
    responses = (
        Response.objects.visible_to(user)
        .filter(user_id=user.pk)
        .select_related("record", "record__dataset", "record__dataset__workspace")
        .order_by("-updated_at", "-inserted_at")
    )
    if status:
        responses = responses.filter(status=status)
    if dataset_id is not None:
        responses = responses.filter(record__dataset_id=parse_uuid(dataset_id))
    if search:
        responses = responses.filter(
            Q(values__icontains=search) | Q(record__fields__icontains=search) | Q(record__external_id__icontains=search)
        )
    return responses


def open_drafts(*, user: User, dataset: Dataset | None = None, limit: int = 10) -> list[Response]:
    """The user's own drafts (of one dataset, or of every dataset they may read), oldest first, with their
    record and dataset: the work they started and left, which `next` serves only when asked to resume."""
    drafts = (
        Response.objects.visible_to(user)
        .filter(user_id=user.pk, status=Response.Status.DRAFT)
        .select_related("record", "record__dataset", "record__dataset__workspace")
        .order_by("inserted_at", "pk")
    )
    if dataset is not None:
        drafts = drafts.filter(record__dataset=dataset)
    return list(drafts[:limit])
