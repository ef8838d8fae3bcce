"""Isolation cases for the review stage's routes (see registry.py for how to add routes): workspace B holds
an answer waiting for review, and A's callers (a reviewer among them) must neither see nor decide it."""

from django.forms.models import model_to_dict

from labeling.models import Response, ResponseVersion, ReviewClaim
from labeling.services.history import version_entry

from ..factories import RecordFactory, ResponseFactory
from .registry import register, register_snapshot, world_object


@world_object("waiting_response")
def _waiting_response(b):
    """A submitted answer of B's admin waiting for review, at version 1, on a record of its own."""
    record = RecordFactory(dataset=b.dataset, external_id="b-secret-waiting")
    response = ResponseFactory(record=record, user=b.admin, status=Response.Status.SUBMITTED,
                               review_status=Response.ReviewStatus.PENDING)
    entry = version_entry(response, dataset_id=b.dataset.pk, kind="submit", author=b.admin, now=response.inserted_at)
    entry.save()
    response.save(update_fields=["version"])
    record.submitted_count = 1
    record.save(update_fields=["submitted_count"])
    return response


@register_snapshot
def _review_snapshot(b) -> dict:
    claims = ReviewClaim.objects.filter(record__dataset__workspace=b.workspace).order_by("pk")
    versions = ResponseVersion.objects.filter(dataset__workspace=b.workspace).order_by("pk")
    return {"review_claims": [model_to_dict(c) | {"pk": c.pk} for c in claims],
            "versions": [model_to_dict(v) | {"pk": v.pk} for v in versions]}


for name, dataset in (("ready", "dataset"), ("draft", "draft_dataset")):
    def in_dataset(b, dataset=dataset):
        return {"dataset_id": getattr(b, dataset).pk}

    register("api/datasets/<uuid:dataset_id>/review/", label=name, kwargs=in_dataset)
    register("api/datasets/<uuid:dataset_id>/review/next/", label=name, kwargs=in_dataset)

for decision, extra in (("accept", {}), ("reject", {"comment": "planted"}),
                        ("fix", {"values": {"demonstration": "planted"}})):
    register("api/responses/<uuid:response_id>/review/", label=decision,
             kwargs=lambda b: {"response_id": b.waiting_response.pk},
             bodies={"POST": lambda b, extra=extra, decision=decision: {"decision": decision, "version": 1, **extra}})
register("api/responses/<uuid:response_id>/review/", label="draft answer", kwargs=lambda b: {"response_id": b.response.pk},
         bodies={"POST": lambda b: {"decision": "accept", "version": 1}})
