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
