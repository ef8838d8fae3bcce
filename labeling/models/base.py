"""What the labeling models share: a time-stamped base with a UUID key, time-ordered ids, enum checks."""

import os
import time
import uuid

from django.db import models
from django.db.models import Q


def choices_check(field: str, values: list[str], name: str) -> models.CheckConstraint:
    """An enum check; Meta cannot see the nested choices class, so the values are spelled out."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


class TimestampedModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    inserted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def uuid7() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): Unix time in milliseconds, the version, then 74 random bits."""
    random_bits = int.from_bytes(os.urandom(10))
    rand_a, rand_b = random_bits >> 68, random_bits & ((1 << 62) - 1)
    return uuid.UUID(int=(time.time_ns() // 1_000_000) << 80 | 7 << 76 | rand_a << 64 | 2 << 62 | rand_b)
