"""Isolation cases for routing by skill (issue #19): a member's role and skills, named by username or id."""

from .registry import register

MEMBER = "api/workspaces/<uuid:workspace_id>/members/<str:user_ref>/"
SKILLS = {"PATCH": lambda b: {"skills": ["planted"], "role": "admin"}}

register(MEMBER, label="B's member by id", kwargs=lambda b: {"workspace_id": b.workspace.pk, "user_ref": str(b.annotator.pk)},
         bodies=SKILLS)
register(MEMBER, label="B's member by username",
         kwargs=lambda b: {"workspace_id": b.workspace.pk, "user_ref": b.annotator.username}, bodies=SKILLS)
# The caller's own workspace, naming one of B's users: they are no member of it, so nothing to change.
register(MEMBER, label="B's user in own workspace",
         kwargs=lambda b: {"workspace_id": b.caller_workspace.pk, "user_ref": str(b.annotator.pk)}, bodies=SKILLS)
