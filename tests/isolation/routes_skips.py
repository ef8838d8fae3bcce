"""Isolation cases for skips (issue #19): skipping another workspace's record is a 404 and writes nothing."""

from django.forms.models import model_to_dict

from labeling.models import Skip

from .registry import register, register_snapshot

for name, record in (("answered", "record"), ("assigned", "spare_record")):
    def of_record(b, record=record):
        return {"record_id": getattr(b, record).pk}

    register("api/records/<uuid:record_id>/skip/", label=name, kwargs=of_record,
             bodies={"POST": lambda b: {"reason": "not_my_field"}})


@register_snapshot
def _skips_snapshot(b) -> dict:
    skips = Skip.objects.filter(record__dataset__workspace=b.workspace).order_by("pk")
    return {"skips": [model_to_dict(skip) | {"pk": skip.pk} for skip in skips]}
