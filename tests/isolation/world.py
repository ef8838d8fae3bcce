"""The world the isolation matrix runs in: workspace A's callers and workspace B's objects."""

from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import ApiKey, Membership, User, Workspace
from accounts.services import api_key_create
from labeling.models import (
    Assignment,
    Claim,
    Dataset,
    Field,
    MetadataProperty,
    Question,
    Record,
    Response,
    Suggestion,
)

from ..factories import (
    AssignmentFactory,
    DatasetFactory,
    MembershipFactory,
    MetadataPropertyFactory,
    RecordFactory,
    ResponseFactory,
    SuggestionFactory,
    UserFactory,
    WorkspaceFactory,
)
from .registry import SNAPSHOTS, WORLD_OBJECTS, World, register_snapshot

SECRET = "b-secret"


def build_world() -> World:
    """Workspace A gets the callers: an admin, an annotator and a reviewer. Workspace B gets an admin, an annotator
    (with an API key), an open ready dataset with records, a suggestion, a response, an assignment and a
    claim, and a draft dataset."""
    workspace, other_workspace = WorkspaceFactory(name="a-workspace"), WorkspaceFactory(name=f"{SECRET}-workspace")
    admin, annotator = UserFactory(username="a-admin"), UserFactory(username="a-annotator")
    reviewer = UserFactory(username="a-reviewer")
    MembershipFactory(user=admin, workspace=workspace, role=Membership.Role.ADMIN)
    MembershipFactory(user=annotator, workspace=workspace, role=Membership.Role.ANNOTATOR)
    MembershipFactory(user=reviewer, workspace=workspace, role=Membership.Role.REVIEWER)
    DatasetFactory(workspace=workspace, name="a-dataset")
    b_admin = UserFactory(username="b-admin")
    b_annotator = UserFactory(username="b-annotator")
    MembershipFactory(user=b_admin, workspace=other_workspace, role=Membership.Role.ADMIN)
    MembershipFactory(user=b_annotator, workspace=other_workspace, role=Membership.Role.ANNOTATOR)
    dataset = DatasetFactory(workspace=other_workspace, name=f"{SECRET}-dataset")
    MetadataPropertyFactory(dataset=dataset, name="topic")
    draft = DatasetFactory(workspace=other_workspace, name=f"{SECRET}-draft", status=Dataset.Status.DRAFT)
    record = RecordFactory(dataset=dataset, external_id=f"{SECRET}-record", fields={"prompt": f"{SECRET} prompt"},
                           metadata={"topic": "x"})
    spare = RecordFactory(dataset=dataset, external_id=f"{SECRET}-spare")
    SuggestionFactory(record=record)
    response = ResponseFactory(record=record, user=b_annotator, status=Response.Status.DRAFT)
    AssignmentFactory(record=spare, user=b_annotator)
    Claim.objects.create(record=spare, user=b_annotator, claimed_at=timezone.now(), expires_at=timezone.now())
    key, _ = api_key_create(actor=None, user=b_annotator, name=f"{SECRET}-key")
    world = World(
        callers={"admin": admin, "annotator": annotator, "reviewer": reviewer},
        objects={
            "workspace": other_workspace, "admin": b_admin, "annotator": b_annotator, "dataset": dataset,
            "draft_dataset": draft, "record": record, "spare_record": spare, "response": response, "api_key": key,
            "caller_workspace": workspace,
        },
    )
    for name, make in WORLD_OBJECTS.items():
        world.objects[name] = make(world)
    return world


def _rows(queryset) -> list[dict]:
    return [model_to_dict(obj) | {"pk": obj.pk, "updated_at": getattr(obj, "updated_at", None)}
            for obj in queryset.order_by("pk")]


@register_snapshot
def _core_snapshot(b: World) -> dict:
    users = User.objects.filter(memberships__workspace=b.workspace)
    in_b = {"dataset__workspace": b.workspace}
    return {
        "workspace": _rows(Workspace.objects.filter(pk=b.workspace.pk)),
        "memberships": _rows(Membership.objects.filter(workspace=b.workspace)),
        "users": [{k: v for k, v in row.items() if k != "last_login"} for row in _rows(users)],
        "api_keys": _rows(ApiKey.objects.filter(user__in=users)),
        "datasets": _rows(Dataset.objects.filter(workspace=b.workspace)),
        "fields": _rows(Field.objects.filter(**in_b)),
        "questions": _rows(Question.objects.filter(**in_b)),
        "metadata_properties": _rows(MetadataProperty.objects.filter(**in_b)),
        "records": _rows(Record.objects.filter(**in_b)),
        "suggestions": _rows(Suggestion.objects.filter(record__dataset__workspace=b.workspace)),
        "responses": _rows(Response.objects.filter(record__dataset__workspace=b.workspace)),
        "assignments": _rows(Assignment.objects.filter(record__dataset__workspace=b.workspace)),
        "claims": [
            {"pk": c.pk, "record": c.record_id, "user": c.user_id, "expires_at": c.expires_at}
            for c in Claim.objects.filter(record__dataset__workspace=b.workspace).order_by("pk")
        ],
    }


def snapshot(b: World) -> dict:
    return {f"{fn.__module__}.{fn.__name__}": fn(b) for fn in SNAPSHOTS}


def identifiers(state: dict) -> set[str]:
    """Every UUID of B's rows, plus the marker text B's names and prompts carry (integer ids are too short to search)."""
    found = {SECRET}
    for rows in (r for section in state.values() for r in section.values()):
        found.update(str(row["pk"]) for row in rows if len(str(row["pk"])) >= 32)
    return found
