"""The review queue's claims: which reviewer holds which record for a short while."""

from django.conf import settings
from django.db import models

from .records import Record


class ReviewClaim(models.Model):
    """A lease on a record handed out by the review queue's "next": while it is live no other reviewer
    is handed the record, so two reviewers work on different answers. One reviewer at a time per record;
    an expired claim is taken over by the next reviewer who reaches the record.

    Deciding an answer does not need a claim: the decision names the version it was made on, and a
    stale one is refused (`labeling.services.reviews`), which is what finally keeps two reviewers from
    deciding the same answer twice.
    """

    id = models.BigAutoField(primary_key=True)
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="review_claims", db_index=False)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_claims")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record"], name="labeling_reviewclaim_one_per_record")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} reviews {self.record_id}"
