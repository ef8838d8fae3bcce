"""A labeler's skip of a record, with the reason they gave (issue #19)."""

from django.conf import settings
from django.db import models

from .base import choices_check
from .records import Record


class Skip(models.Model):
    """A labeler passed over a record without answering it; one per (record, labeler), the latest reason wins.

    A skip counts towards nothing (no response, no progress); it only steers `next`: "later" serves the
    record again once nothing else is left, the other reasons never serve it to that labeler again.
    """

    class Reason(models.TextChoices):
        LATER = "later", "Skip for now"
        NOT_MY_FIELD = "not_my_field", "Not my field"
        BROKEN = "broken", "Can't answer (prompt is broken)"

    id = models.BigAutoField(primary_key=True)
    # The unique (record, user) constraint serves the record side; the (user, reason) index the caller's skips.
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="skips", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skips", db_index=False)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # When the latest reason was given: a new skip of the same record replaces both.
    inserted_at = models.DateTimeField()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="labeling_skip_unique_per_user"),
            choices_check("reason", ["later", "not_my_field", "broken"], "labeling_skip_reason_valid"),
        ]
        indexes = [models.Index(fields=["user", "reason"], name="labeling_skip_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} skipped {self.record_id} ({self.reason})"
