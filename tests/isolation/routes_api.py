"""Isolation cases for the REST API of issue #3 (see registry.py for how to add routes)."""

from .registry import register

VALID_RECORDS = {"records": [{"fields": {"prompt": "planted"}}]}
VALID_RESPONSE = {"values": {"demonstration": "planted"}, "status": "submitted"}

register("api/me")
register("api/schema/")
register("api/docs/")
register("api/workspaces/", bodies={"POST": lambda b: {"name": "planted-workspace"}}, reaches_b=False)
register("api/workspaces/<uuid:workspace_id>/", kwargs=lambda b: {"workspace_id": b.workspace.pk},
         bodies={"PATCH": lambda b: {"name": "planted"}})
register("api/workspaces/<uuid:workspace_id>/members/", kwargs=lambda b: {"workspace_id": b.workspace.pk},
         bodies={"POST": lambda b: {"user": str(b.admin.pk), "role": "annotator"}},
         query={"DELETE": lambda b: f"user={b.annotator.pk}"})
# The caller's own workspace, naming one of B's users: adding or removing them must not work either.
register("api/workspaces/<uuid:workspace_id>/members/", label="B's user",
         kwargs=lambda b: {"workspace_id": b.caller_workspace.pk}, methods=("POST", "DELETE"),
         bodies={"POST": lambda b: {"user": str(b.annotator.pk), "role": "admin"}},
         query={"DELETE": lambda b: f"user={b.annotator.pk}"})
register("api/users/", bodies={"POST": lambda b: {"username": "planted-user"}}, reaches_b=False)
register("api/keys/", label="own", methods=("GET",))
register("api/keys/", label="for B's user", methods=("POST",), bodies={"POST": lambda b: {"user": str(b.annotator.pk)}})
register("api/keys/<uuid:key_id>/", kwargs=lambda b: {"key_id": b.api_key.pk})
register("api/datasets/", label="filtered by B's workspace", methods=("GET",), reaches_b=False,
         query={"GET": lambda b: f"workspace={b.workspace.pk}"})
register("api/datasets/", label="in B's workspace", methods=("POST",),
         bodies={"POST": lambda b: {"workspace": str(b.workspace.pk), "name": "planted",
                                    "fields": [{"name": "prompt"}], "questions": [{"name": "q", "type": "text"}]}})

for name, dataset in (("ready", "dataset"), ("draft", "draft_dataset")):
    def in_dataset(b, dataset=dataset):
        return {"dataset_id": getattr(b, dataset).pk}

    register("api/datasets/<uuid:dataset_id>/", label=name, kwargs=in_dataset,
             bodies={"PATCH": lambda b: {"guidelines": "planted"}})
    register("api/datasets/<uuid:dataset_id>/publish/", label=name, kwargs=in_dataset)
    register("api/datasets/<uuid:dataset_id>/records/", label=name, kwargs=in_dataset,
             bodies={"POST": lambda b: VALID_RECORDS})
    register("api/datasets/<uuid:dataset_id>/suggestions/", label=name, kwargs=in_dataset,
             bodies={"POST": lambda b: {"suggestions": [{"record_id": str(b.record.pk), "question": "demonstration",
                                                         "value": "planted"}]}})
    register("api/datasets/<uuid:dataset_id>/next/", label=name, kwargs=in_dataset)
    register("api/datasets/<uuid:dataset_id>/responses/", label=name, kwargs=in_dataset)
    register("api/datasets/<uuid:dataset_id>/progress/", label=name, kwargs=in_dataset)

for name, record in (("answered", "record"), ("assigned", "spare_record")):
    def of_record(b, record=record):
        return {"record_id": getattr(b, record).pk}

    register("api/records/<uuid:record_id>/", label=name, kwargs=of_record,
             bodies={"PATCH": lambda b: {"fields": {"prompt": "planted"}}})
    register("api/records/<uuid:record_id>/response/", label=name, kwargs=of_record,
             bodies={"PUT": lambda b: VALID_RESPONSE})
