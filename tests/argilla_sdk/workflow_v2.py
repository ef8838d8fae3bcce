"""The Argilla 2.x workflow (package argilla==2.8.0), unchanged, against our server.

Run by tests/argilla_sdk/run.py inside var/sdk-v2 with ARGILLA_API_URL, ARGILLA_API_KEY (an owner's) and
RUN_ID set. Raises (non-zero exit) on any SDK exception or on any difference between what was sent and
what is read back.
"""

import os
import sys

import argilla as rg
from argilla._models import UserResponseModel

API_URL = os.environ["ARGILLA_API_URL"]
OWNER_KEY = os.environ["ARGILLA_API_KEY"]
RUN = os.environ["RUN_ID"]
N = 60
WS = f"v2-ws-{RUN}"
DATASET = f"demonstrations-{RUN}"
LABELS = ["qa", "chat", "code"]
TOPICS = ["math", "history", "poetry"]
RANKED = ["answer-a", "answer-b", "answer-c"]


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def settings() -> rg.Settings:
    return rg.Settings(
        guidelines="Write the ideal answer.",
        fields=[rg.TextField(name="prompt"), rg.TextField(name="context", required=False)],
        questions=[
            rg.TextQuestion(name="demonstration"),
            rg.RatingQuestion(name="quality", values=[1, 2, 3], required=False),
            rg.LabelQuestion(name="category", labels=LABELS, required=False),
            rg.MultiLabelQuestion(name="topics", labels=TOPICS, required=False),
            rg.RankingQuestion(name="preference", values=RANKED, required=False),
        ],
        metadata=[
            rg.TermsMetadataProperty(name="source", options=["web", "book"]),
            rg.IntegerMetadataProperty(name="length", min=0, max=10_000),
            rg.FloatMetadataProperty(name="difficulty", min=0.0, max=1.0),
        ],
        distribution=rg.TaskDistribution(min_submitted=2),
    )


def answer(i: int) -> dict:
    return {
        "demonstration": f"ideal answer {i}",
        "quality": 1 + i % 3,
        "category": LABELS[i % 3],
        "topics": TOPICS[: 1 + i % 3],
        # The 2.x SDK sends ranking items without ranks.
        "preference": [{"value": v} for v in RANKED],
    }


def record_spec(i: int) -> dict:
    fields = {"prompt": f"prompt {i}"}
    if i % 2:
        fields["context"] = f"context {i}"
    return {
        "fields": fields,
        "metadata": {"source": "web" if i % 2 else "book", "length": 10 * i, "difficulty": round(i / N, 3)},
        "suggestions": {"category": (LABELS[i % 3], 0.5, "model-x"), "demonstration": (f"draft {i}", None, "model-x")},
    }


def read_form(values: dict) -> dict:
    """How the 2.x SDK presents answers it reads: a ranking as the list of its values, in rank order."""
    return {q: [item["value"] for item in v] if q == "preference" else v for q, v in values.items()}


def normalize(value):
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if v is not None}
    return value


def raw_user(client: rg.Argilla, username: str) -> tuple[str, str]:
    """Create an annotator through the raw API, which returns the new key (the SDK drops it)."""
    response = client.http_client.post(
        "/api/v1/users", json={"username": username, "password": "correct-horse-battery", "first_name": username,
                               "role": "annotator"},
    )
    check(response.status_code == 201, f"POST /api/v1/users: {response.status_code} {response.text}")
    body = response.json()
    return body["id"], body["api_key"]


def main() -> None:
    client = rg.Argilla(api_url=API_URL, api_key=OWNER_KEY)
    check(client.me.role == "owner", "owner key not reported as owner")
    ws = rg.Workspace(name=WS).create()
    check(client.workspaces(WS) is not None, "workspace not found by name")

    keys, ids = {}, {}
    for name in ("ann1", "ann2"):
        ids[name], keys[name] = raw_user(client, f"{name}-{RUN}")
        user = client.users(username=f"{name}-{RUN}")
        check(user is not None and str(user.id) == ids[name], f"{name} not found by username")
        user.add_to_workspace(ws)
    check({u.username for u in ws.users} == {f"ann1-{RUN}", f"ann2-{RUN}"}, "ws.users differ")
    extra = rg.User(username=f"extra-{RUN}", password="correct-horse-battery", role="annotator").create()
    check(client.users(id=extra.id) is not None, "client.users(id=) misses a new user")

    ds = rg.Dataset(name=DATASET, workspace=WS, settings=settings()).create()
    records = []
    for i in range(N):
        spec = record_spec(i)
        records.append(rg.Record(
            id=f"p{i}", fields=spec["fields"], metadata=spec["metadata"],
            suggestions=[rg.Suggestion(question_name=q, value=v, score=s, agent=a)
                         for q, (v, s, a) in spec["suggestions"].items()],
        ))
    ds.records.log(records)

    server_ids = {r.id: r._server_id for r in ds.records(with_responses=True)}
    check(len(server_ids) == N, f"read {len(server_ids)} records")

    # Annotators answer with their own keys through the SDK's API layer.
    expected = {f"p{i}": {} for i in range(N)}
    for name, span in (("ann1", range(0, 20)), ("ann2", range(10, 30))):
        annotator = rg.Argilla(api_url=API_URL, api_key=keys[name])
        for i in span:
            values = {q: {"value": v} for q, v in answer(i).items()}
            annotator.api.records.create_record_response(
                server_ids[f"p{i}"], UserResponseModel(values=values, status="submitted", user_id=ids[name]),
            )
            expected[f"p{i}"][ids[name]] = ("submitted", answer(i))
        annotator.api.records.create_record_response(
            server_ids[f"p{40 if name == 'ann1' else 41}"],
            UserResponseModel(values={"demonstration": {"value": "half"}}, status="draft", user_id=ids[name]),
        )
        expected[f"p{40 if name == 'ann1' else 41}"][ids[name]] = ("draft", {"demonstration": "half"})
    try:
        rg.Argilla(api_url=API_URL, api_key=keys["ann1"]).api.records.create_record_response(
            server_ids["p0"], UserResponseModel(values={"demonstration": {"value": "again"}}, status="submitted",
                                                user_id=ids["ann1"]))
        raise AssertionError("a second response by the same user was accepted")
    except rg._exceptions.ConflictError:
        pass

    # The owner logs a discarded answer on ann2's behalf; other users' responses are kept.
    owner_view = client.datasets(DATASET, workspace=WS)
    target = next(r for r in owner_view.records(with_responses=True) if r.id == "p45")
    target.responses.add(rg.Response("demonstration", "not for me", user_id=ids["ann2"], status="discarded"))
    owner_view.records.log([target])
    expected["p45"][ids["ann2"]] = ("discarded", {"demonstration": "not for me"})
    target = next(r for r in owner_view.records(with_responses=True) if r.id == "p0")
    target.metadata["length"] = 999
    owner_view.records.log([target])

    # Read back and compare exactly.
    read = list(client.datasets(DATASET, workspace=WS).records(with_responses=True, with_suggestions=True))
    check([r.id for r in read] == [f"p{i}" for i in range(N)], "records are not in creation order")
    for record in read:
        i = int(record.id[1:])
        spec = record_spec(i)
        if i == 0:
            spec["metadata"]["length"] = 999
        check(dict(record.fields) == spec["fields"], f"{record.id}: fields {dict(record.fields)}")
        check(dict(record.metadata) == spec["metadata"], f"{record.id}: metadata {dict(record.metadata)}")
        got = {s.question_name: (s.value, s.score, s.agent) for s in record.suggestions}
        check(got == spec["suggestions"], f"{record.id}: suggestions {got}")
        responses: dict = {}
        for response in record.responses:
            status = response.status.value if hasattr(response.status, "value") else response.status
            entry = responses.setdefault(str(response.user_id), (status, {}))
            entry[1][response.question_name] = normalize(response.value)
        want = {user: (status, normalize(read_form(values))) for user, (status, values) in expected[record.id].items()}
        check(responses == want, f"{record.id}: responses {responses} != {want}")

    progress = ds.progress(with_users_distribution=True)
    both = sum(1 for rows in expected.values() if sum(s == "submitted" for s, _ in rows.values()) >= 2)
    check(progress["total"] == N and progress["completed"] == both and progress["pending"] == N - both,
          f"progress {progress}")
    check(progress["users"][f"ann1-{RUN}"]["completed"]["submitted"] == both, f"users progress {progress['users']}")

    flat = ds.records.to_list(flatten=True)
    check(len(flat) == N and flat[0]["prompt"] == "prompt 0", "to_list(flatten=True)")

    # Deletes.
    ds.records.delete([r for r in read if r.id in ("p58", "p59")])
    check(client.datasets(DATASET, workspace=WS).progress()["total"] == N - 2, "record delete")
    ds.delete()
    check(client.datasets(DATASET, workspace=WS) is None, "dataset still found")
    for name in ("ann1", "ann2"):
        client.users(username=f"{name}-{RUN}").delete()
    extra.delete()
    ws.delete()
    check(client.workspaces(WS) is None, "workspace still found")


if __name__ == "__main__":
    main()
    print("v2 workflow: ok", file=sys.stderr)
