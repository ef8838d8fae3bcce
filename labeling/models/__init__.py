"""The labeling models, one module per family; imported from here (`labeling.models.Record`)."""

from .assignments import Assignment, Claim
from .base import TimestampedModel, uuid7
from .datasets import Dataset, Field, MetadataProperty, Question
from .records import Record, Suggestion
from .responses import Response, ResponseVersion
from .reviews import ReviewClaim
from .skips import Skip

__all__ = [
    "Assignment", "Claim", "Dataset", "Field", "MetadataProperty", "Question", "Record", "Response",
    "ResponseVersion", "ReviewClaim", "Skip", "Suggestion", "TimestampedModel", "uuid7",
]
