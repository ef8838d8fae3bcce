"""Isolation cases for the distribution endpoints of issue #5 (see registry.py for how to add routes)."""

from .registry import register


def in_b_dataset(b):
    return {"dataset_id": b.dataset.pk}


register("api/datasets/<uuid:dataset_id>/assignments/", kwargs=in_b_dataset)
register("api/datasets/<uuid:dataset_id>/distribute/", kwargs=in_b_dataset,
         bodies={"POST": lambda b: {"per_record": 1, "annotators": [b.annotator.username]}})
register("api/datasets/<uuid:dataset_id>/reassign/", kwargs=in_b_dataset,
         bodies={"POST": lambda b: {"from_user": b.annotator.username, "to_users": [b.admin.username]}})
register("api/datasets/<uuid:dataset_id>/unassign/", kwargs=in_b_dataset,
         bodies={"POST": lambda b: {"users": [b.annotator.username]}})
