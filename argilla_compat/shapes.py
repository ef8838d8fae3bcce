"""Our objects rendered in Argilla's shapes (argilla-compat.md §5).

Ids are canonical UUID strings and every object carries `inserted_at` / `updated_at` in ISO 8601.
Response values are wrapped: our flat `{"q": v}` is Argilla's `{"q": {"value": v}}`.
"""

from accounts.models import User, Workspace
from labeling.models import Dataset, Field, MetadataProperty, Question, Response

ARGILLA_VERSION = "1.29.1"
# Keys are stored hashed: other users' objects carry this non-secret string where Argilla puts a key.
HIDDEN_KEY = "hidden"


def ts(value) -> str | None:
    return value.isoformat() if value is not None else None


def workspace(ws: Workspace) -> dict:
    return {"id": str(ws.pk), "name": ws.name, "inserted_at": ts(ws.inserted_at), "updated_at": ts(ws.updated_at)}


def user(u: User, *, role: str, api_key: str = HIDDEN_KEY) -> dict:
    return {
        "id": str(u.pk),
        "first_name": u.first_name or u.username,
        "last_name": u.last_name or None,
        "username": u.username,
        "role": role,
        "api_key": api_key,
        "inserted_at": ts(u.inserted_at),
        "updated_at": ts(u.updated_at),
    }


def legacy_user(u: User, *, role: str, workspaces: list[str], api_key: str = HIDDEN_KEY) -> dict:
    """The 1.x `/api` user: `user` plus `full_name` and the names of the user's workspaces."""
    shaped = user(u, role=role, api_key=api_key)
    shaped["full_name"] = " ".join(part for part in (shaped["first_name"], u.last_name) if part)
    shaped["workspaces"] = workspaces
    return shaped


def dataset(d: Dataset) -> dict:
    return {
        "id": str(d.pk),
        "name": d.name,
        "guidelines": d.guidelines or None,
        "allow_extra_metadata": d.allow_extra_metadata,
        "status": d.status,
        "distribution": {"strategy": "overlap", "min_submitted": d.min_submitted},
        "metadata": None,
        "workspace_id": str(d.workspace_id),
        "last_activity_at": ts(d.last_activity_at or d.updated_at),
        "inserted_at": ts(d.inserted_at),
        "updated_at": ts(d.updated_at),
    }


def field(f: Field) -> dict:
    return {
        "id": str(f.pk),
        "name": f.name,
        "title": f.title,
        "required": f.required,
        "settings": {"type": f.type, "use_markdown": f.use_markdown},
        "dataset_id": str(f.dataset_id),
        "inserted_at": ts(f.inserted_at),
        "updated_at": ts(f.updated_at),
    }


def question(q: Question) -> dict:
    return {
        "id": str(q.pk),
        "name": q.name,
        "title": q.title,
        "description": q.description,
        "required": q.required,
        # Stored in Argilla's form already (labeling.validation.normalize_question_settings).
        "settings": q.settings,
        "dataset_id": str(q.dataset_id),
        "inserted_at": ts(q.inserted_at),
        "updated_at": ts(q.updated_at),
    }


def metadata_property(p: MetadataProperty) -> dict:
    return {
        "id": str(p.pk),
        "name": p.name,
        "title": p.title,
        "settings": {**p.settings, "type": p.type},
        "visible_for_annotators": p.visible_for_annotators,
        "dataset_id": str(p.dataset_id),
        "inserted_at": ts(p.inserted_at),
        "updated_at": ts(p.updated_at),
    }


def _response(*, id, values, status, record_id, user_id, inserted_at, updated_at) -> dict:
    return {
        "id": str(id),
        # Never null: both SDKs iterate it (argilla-compat.md §1 "Response values").
        "values": {name: {"value": value} for name, value in (values or {}).items()},
        "status": status,
        "record_id": str(record_id),
        "user_id": str(user_id),
        "inserted_at": ts(inserted_at),
        "updated_at": ts(updated_at),
    }


def response(r: Response) -> dict:
    return _response(id=r.pk, values=r.values, status=r.status, record_id=r.record_id, user_id=r.user_id,
                     inserted_at=r.inserted_at, updated_at=r.updated_at)


def _suggestion(*, id, question_id, type, value, score, agent, inserted_at, updated_at, **_row) -> dict:
    return {
        "id": str(id),
        "question_id": str(question_id),
        "type": type,
        "value": value,
        "score": score,
        "agent": agent,
        "inserted_at": ts(inserted_at),
        "updated_at": ts(updated_at),
    }


def record(row: dict, *, responses: bool = True, suggestions: bool = True, vectors: bool = False) -> dict:
    """A record from a row of `argilla_compat.selectors.record_rows`."""
    shaped = {
        "id": str(row["id"]),
        "status": row["status"],
        "fields": row["fields"],
        "metadata": row["metadata"] or {},
        "external_id": row["external_id"],
        "dataset_id": str(row["dataset_id"]),
        "inserted_at": ts(row["inserted_at"]),
        "updated_at": ts(row["updated_at"]),
    }
    if responses:
        shaped["responses"] = [_response(**r) for r in row["responses"]]
    if suggestions:
        shaped["suggestions"] = [_suggestion(**s) for s in row["suggestions"]]
    if vectors:
        shaped["vectors"] = {}
    return shaped


def unwrap_values(values) -> dict:
    """Argilla's `{"q": {"value": v}}` as our flat `{"q": v}`; a malformed entry is passed through
    as-is so that our validation reports it against its question."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        return values
    return {name: item["value"] if isinstance(item, dict) and "value" in item else item for name, item in values.items()}
