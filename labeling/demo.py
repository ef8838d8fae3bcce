"""The demo: a workspace of labelers collecting demonstrations for 500 real BANKING77 prompts."""

import json
from pathlib import Path

from django.db import transaction

from accounts import services as account_services
from accounts.models import Membership, User, Workspace

from .models import Dataset
from .selectors.lookups import dataset_access_for
from .services import datasets as dataset_services
from .services import records as record_services

SAMPLE = Path(__file__).parent / "demo_data" / "banking77_sample.jsonl"

DEMO_USERS = [
    # username, password, role in the "banking" workspace (None: owner, member of nothing)
    ("owner", "owner-demo-pass", None),
    ("lead", "lead-demo-pass", Membership.Role.ADMIN),
    ("alice", "alice-demo-pass", Membership.Role.ANNOTATOR),
    ("bob", "bob-demo-pass", Membership.Role.ANNOTATOR),
]

GUIDELINES = """\
## Write the reply a great support agent would send

* Answer the customer's question **directly** in the first sentence.
* Be warm and brief: 2–5 sentences. No made-up policies, fees or deadlines.
* If the bank needs more information, say exactly what and why.

Rate the prompt itself too: *5* is a clear, realistic question, *1* is unusable.
"""


def _user(username: str, password: str, is_owner: bool) -> User:
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    user, _ = account_services.user_create(
        actor=None, username=username, password=password, email=f"{username}@example.org", is_owner=is_owner
    )
    return user


def demo_load() -> dict:
    """Create the demo once; running it again changes nothing and duplicates nothing."""
    with transaction.atomic():
        users = {name: _user(name, password, role is None) for name, password, role in DEMO_USERS}
        owner = users["owner"]
        banking = Workspace.objects.filter(name="banking").first() or account_services.workspace_create(
            actor=owner, name="banking"
        )
        research = Workspace.objects.filter(name="research").first() or account_services.workspace_create(
            actor=owner, name="research"
        )
        for name, _, role in DEMO_USERS:
            if role is not None:
                account_services.membership_set(actor=owner, workspace=banking, user=users[name], role=role)
        dataset = Dataset.objects.filter(workspace=banking, name="banking-demonstrations").first()
        if dataset is None:
            dataset = dataset_services.dataset_create(
                actor=owner,
                workspace=banking,
                name="banking-demonstrations",
                guidelines=GUIDELINES,
                fields=[{"name": "prompt", "title": "Customer message"}],
                questions=[
                    {"name": "demonstration", "type": "text", "title": "Write the ideal reply",
                     "description": "What a great support agent would answer.", "required": True,
                     "settings": {"use_markdown": True}},
                    {"name": "prompt_quality", "type": "rating", "title": "How good is this prompt?",
                     "description": "1 = unusable, 5 = clear and realistic.", "required": False,
                     "settings": {"options": [1, 2, 3, 4, 5]}},
                ],
                metadata_properties=[{"name": "category", "type": "terms", "title": "Intent category"}],
            )
            dataset = dataset_services.dataset_publish(access=dataset_access_for(user=owner, dataset=dataset))
        if not Dataset.objects.filter(workspace=research).exists():
            private = dataset_services.dataset_create(
                actor=owner, workspace=research, name="internal-evals",
                fields=[{"name": "prompt"}], questions=[{"name": "answer", "type": "text"}],
            )
            dataset_services.dataset_publish(access=dataset_access_for(user=owner, dataset=private))
    items = [
        {"external_id": row["external_id"], "fields": {"prompt": row["prompt"]}, "metadata": {"category": row["category"]}}
        for row in map(json.loads, SAMPLE.read_text().splitlines())
    ]
    result = record_services.records_upsert(access=dataset_access_for(user=owner, dataset=dataset), items=items)
    return {"users": [(name, password) for name, password, _ in DEMO_USERS], "dataset": dataset,
            "records_created": result.created}
