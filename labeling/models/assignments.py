"""Who works on which record: assignments made by distribution, and the short claims of "next record"."""

from django.conf import settings
from django.db import models

from ..querysets import AssignmentQuerySet
from .base import TimestampedModel, uuid7
from .records import Record


class Assignment(TimestampedModel):
    # Time-ordered ids: one distribution writes 300,000 rows, and ids that grow with time are
    # appended to the primary key index where random ones land on random pages of it
    # (`labeling.services.distribution` makes the same layout on the server for its bulk insert).
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Served by the unique (record, user) constraint and the (user, record) index. Both references
    # are checked by the database, but not always by a foreign key, hence db_constraint=False: on
    # PostgreSQL statement-level triggers check them (migration 0006), as one distribution inserts
    # 300,000 rows and a foreign key runs a query per row; SQLite keeps the foreign keys that
    # migration 0001 created (migration 0007 says why, and what a later table rebuild must do).
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="assignments", db_index=False, db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", db_index=False,
        db_constraint=False,
    )
    # An audit note, written 300,000 times by one distribution: no database FK check or index on it
    # (Django still sets it to NULL when the user is deleted).
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, db_index=False,
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["inserted_at"]
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="labeling_assignment_unique_per_user"),
        ]
        indexes = [models.Index(fields=["user", "record"], name="labeling_assignment_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.record_id}"


class Claim(models.Model):
    """A lease on a record handed out by "next record" (DESIGN §4); it expires on its own."""

    id = models.BigAutoField(primary_key=True)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="claims", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "user"], name="labeling_claim_unique_per_user")]
        indexes = [models.Index(fields=["record", "expires_at"], name="labeling_claim_record_idx")]
