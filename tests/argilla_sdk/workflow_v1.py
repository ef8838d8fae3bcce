"""The Argilla 1.x Feedback workflow (package argilla-v1==1.29.1), unchanged, against our server.

Run by tests/argilla_sdk/run.py inside var/sdk-v1 with ARGILLA_API_URL, ARGILLA_API_KEY (an owner's) and
RUN_ID set. Raises (non-zero exit) on any SDK exception or on any difference between what was sent and
what is read back.
"""

import os
import sys

import argilla_v1 as rg

API_URL = os.environ["ARGILLA_API_URL"]
OWNER_KEY = os.environ["ARGILLA_API_KEY"]
RUN = os.environ["RUN_ID"]
N = 60
WS = f"v1-ws-{RUN}"
DATASET = f"demonstrations {RUN}"
LABELS = ["qa", "chat", "code"]
TOPICS = ["math", "history", "poetry"]
RANKED = ["answer-a", "answer-b", "answer-c"]


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def plain(value):
    """SDK value objects (pydantic) as plain data, for exact comparison."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "dict"):
        return {k: v for k, v in value.dict().items() if v is not None}
    return value


def settings() -> dict:
    return dict(
        guidelines="Write the ideal answer.",
        fields=[rg.TextField(name="prompt", required=True), rg.TextField(name="context", required=False)],
        questions=[
            rg.TextQuestion(name="demonstration", title="Write the response", required=True),
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5], required=False),
            rg.LabelQuestion(name="category", labels=LABELS, required=False),
            rg.MultiLabelQuestion(name="topics", labels=TOPICS, required=False),
            rg.RankingQuestion(name="preference", values=RANKED, required=False),
        ],
        metadata_properties=[
            rg.TermsMetadataProperty(name="source", values=["web", "book"]),
            rg.IntegerMetadataProperty(name="length", min=0, max=10_000),
        ],
    )


def answer(i: int) -> dict:
    """A full set of answers for record i, in Argilla's response shape."""
    return {
        "demonstration": {"value": f"ideal answer {i}"},
        "quality": {"value": 1 + i % 5},
        "category": {"value": LABELS[i % 3]},
        "topics": {"value": TOPICS[: 1 + i % 3]},
        "preference": {"value": [{"value": v, "rank": r + 1} for r, v in enumerate(RANKED)]},
    }


def expected_record(i: int) -> dict:
    fields = {"prompt": f"prompt {i}"}
    if i % 2:
        fields["context"] = f"context {i}"
    return {
        "fields": fields,
        "metadata": {"source": "web" if i % 2 else "book", "length": 10 * i},
        "suggestions": {
            "category": {"value": LABELS[i % 3], "score": 0.5, "agent": "model-x"},
            "demonstration": {"value": f"draft {i}", "agent": "model-x"},
        },
    }


def local_records(start: int, stop: int, *, owner_responses_for=None) -> list:
    records = []
    for i in range(start, stop):
        spec = expected_record(i)
        responses = []
        if owner_responses_for and i < 5:
            responses = [{"user_id": owner_responses_for, "status": "submitted", "values": answer(i)}]
        records.append(rg.FeedbackRecord(
            fields=spec["fields"], metadata=spec["metadata"], external_id=f"p{i}",
            suggestions=[{"question_name": name, **s} for name, s in spec["suggestions"].items()],
            responses=responses,
        ))
    return records


def post_response(record_id, body: dict) -> int:
    """Annotators answer with the SDK's own HTTP client (the 1.x SDK has no call for it)."""
    response = rg.active_client().http_client.httpx.post(f"/api/v1/records/{record_id}/responses", json=body)
    return response.status_code


def main() -> None:
    rg.init(api_url=API_URL, api_key=OWNER_KEY)
    check(rg.User.me().role == "owner", "the owner key is not reported as owner")
    rg.Workspace.create(WS)
    check(WS in [w.name for w in rg.Workspace.list()], "workspace not listed")
    rg.init(api_url=API_URL, api_key=OWNER_KEY, workspace=WS)

    annotators = {}
    for name in ("ann1", "ann2"):
        user = rg.User.create(username=f"{name}-{RUN}", password=f"correct-horse-{name}", role="annotator",
                              workspaces=[WS])
        check(user.role == "annotator" and isinstance(user.api_key, str) and len(user.api_key) > 20,
              f"{name}: no usable key returned")
        annotators[name] = user
    check({u.username for u in rg.Workspace.from_name(WS).users} >= {f"ann1-{RUN}", f"ann2-{RUN}"},
          "workspace.users misses the annotators")
    check(rg.User.from_name(f"ann1-{RUN}").id == annotators["ann1"].id, "User.from_name mismatch")
    ann1_id, ann2_id = annotators["ann1"].id, annotators["ann2"].id

    # Owner pushes 60 records; the first 5 carry ann2's submitted answers (owners log on behalf).
    ds = rg.FeedbackDataset(**settings())
    ds.add_records(local_records(0, 50, owner_responses_for=ann2_id))
    remote = ds.push_to_argilla(name=DATASET, workspace=WS)
    remote.add_records(local_records(50, N))
    check(len(remote) == N, f"len(remote) is {len(remote)}, expected {N}")
    ids = {r.external_id: r.id for r in remote.records}
    check(len(ids) == N, "records missing when iterating")

    # Annotators answer with their own keys: submitted, draft and discarded.
    rg.init(api_url=API_URL, api_key=annotators["ann1"].api_key, workspace=WS)
    check(rg.User.me().role == "annotator", "ann1 not reported as annotator")
    seen = rg.FeedbackDataset.from_argilla(name=DATASET, workspace=WS)
    check([q.name for q in seen.questions] == ["demonstration", "quality", "category", "topics", "preference"],
          "annotator sees different questions")
    for i in range(0, 20):
        check(post_response(ids[f"p{i}"], {"status": "submitted", "values": answer(i)}) == 201, f"ann1 submit p{i}")
    for i in range(20, 25):
        body = {"status": "draft", "values": {"demonstration": {"value": f"half an answer {i}"}}}
        check(post_response(ids[f"p{i}"], body) == 201, f"ann1 draft p{i}")
    for i in range(25, 30):
        check(post_response(ids[f"p{i}"], {"status": "discarded"}) == 201, f"ann1 discard p{i}")
    check(post_response(ids["p0"], {"status": "submitted", "values": answer(0)}) == 409, "second answer not 409")
    check(post_response(ids["p1"], {"status": "submitted", "values": {}}) in (409, 422), "empty submit accepted")
    rg.init(api_url=API_URL, api_key=annotators["ann2"].api_key, workspace=WS)
    for i in range(10, 15):
        check(post_response(ids[f"p{i}"], {"status": "submitted", "values": answer(i)}) == 201, f"ann2 submit p{i}")
    check(post_response(ids["p30"], {"status": "submitted", "values": {"quality": {"value": 4}}}) == 422,
          "submitted without the required question accepted")

    # Owner reads everything back and compares exactly.
    rg.init(api_url=API_URL, api_key=OWNER_KEY, workspace=WS)
    fb = rg.FeedbackDataset.from_argilla(name=DATASET, workspace=WS)
    check(fb.guidelines == "Write the ideal answer.", "guidelines differ")
    check([f.name for f in fb.fields] == ["prompt", "context"], "fields differ")
    check({p.name for p in fb.metadata_properties} == {"source", "length"}, "metadata properties differ")
    expected_responses = {}
    for i in range(N):
        rows = {}
        if i < 20:
            rows[str(ann1_id)] = ("submitted", answer(i))
        elif i < 25:
            rows[str(ann1_id)] = ("draft", {"demonstration": {"value": f"half an answer {i}"}})
        elif i < 30:
            rows[str(ann1_id)] = ("discarded", {})
        if i < 5 or 10 <= i < 15:
            rows[str(ann2_id)] = ("submitted", answer(i))
        expected_responses[f"p{i}"] = rows
    records = list(fb.records)
    check([r.external_id for r in records] == [f"p{i}" for i in range(N)], "records are not in creation order")
    for record in records:
        i = int(record.external_id[1:])
        spec = expected_record(i)
        check(record.fields == {"context": None, **spec["fields"]} or record.fields == spec["fields"],
              f"{record.external_id}: fields {record.fields}")
        check(record.metadata == spec["metadata"], f"{record.external_id}: metadata {record.metadata}")
        got = {s.question_name: {k: v for k, v in (("value", s.value), ("score", s.score), ("agent", s.agent))
                                 if v is not None} for s in record.suggestions}
        check(got == spec["suggestions"], f"{record.external_id}: suggestions {got}")
        responses = {str(r.user_id): (r.status.value if hasattr(r.status, "value") else r.status,
                                      {k: {"value": plain(v.value)} for k, v in r.values.items()})
                     for r in record.responses}
        check(responses == expected_responses[record.external_id],
              f"{record.external_id}: responses {responses} != {expected_responses[record.external_id]}")

    def count(*statuses):
        return len(fb.filter_by(response_status=list(statuses)))

    check(count("submitted") == 20, f"submitted filter: {count('submitted')}")
    check(count("draft") == 5 and count("discarded") == 5, "draft/discarded filters")
    check(count("pending") == N - 30, f"pending filter: {count('pending')}")
    check(count("draft", "discarded") == 10, "OR across statuses")
    submitted = fb.filter_by(response_status=["submitted"])
    check(sorted(r.external_id for r in submitted.records) == sorted(f"p{i}" for i in range(20)),
          "iterating the submitted filter")

    hf = fb.format_as("datasets")
    check(hf.num_rows == N and {"prompt", "demonstration", "quality"} <= set(hf.column_names),
          f"format_as('datasets'): {hf}")
    pulled = fb.pull()
    check(len(pulled.records) == N, "pull() lost records")
    check(sum(len(r.responses) for r in pulled.records) == sum(len(v) for v in expected_responses.values()),
          "pull() lost responses")

    # Deletes: a record, then the dataset (a workspace holding it refuses to go), then users and workspace.
    remote = rg.FeedbackDataset.from_argilla(name=DATASET, workspace=WS)
    remote.delete_records(next(iter(remote.records)))
    check(len(remote) == N - 1, "record delete")
    try:
        rg.Workspace.from_name(WS).delete()
        raise AssertionError("a workspace holding a dataset was deleted")
    except ValueError:
        pass
    remote.delete()
    check(DATASET not in [d.name for d in rg.FeedbackDataset.list(workspace=WS)], "dataset still listed")

    four_workspace_pattern(ann1_id)

    for user in annotators.values():
        user.delete()
    rg.Workspace.from_name(WS).delete()
    check(WS not in [w.name for w in rg.Workspace.list()], "workspace still listed")


def four_workspace_pattern(labeler_id) -> None:
    """The seed's pattern: the same dataset name in four labelers' workspaces, pulled and merged."""
    rg.init(api_url=API_URL, api_key=OWNER_KEY)
    names = [f"labeler-{k}-{RUN}" for k in range(1, 5)]
    for k, ws in enumerate(names):
        rg.Workspace.create(ws).add_user(labeler_id)
        ds = rg.FeedbackDataset(**settings())
        records = local_records(0, 12)
        for j, record in enumerate(records[:3]):
            record.responses = [rg.ResponseSchema(user_id=labeler_id, status="submitted", values=answer(j + k))]
        ds.add_records(records)
        ds.push_to_argilla(name="shared-name", workspace=ws)
    merged = []
    for ws in names:
        merged.extend(rg.FeedbackDataset.from_argilla(name="shared-name", workspace=ws).records)
    check(len(merged) == 48, f"merged {len(merged)} records")
    answered = [r for r in merged if r.responses]
    check(len(answered) == 12 and all(str(r.responses[0].user_id) == str(labeler_id) for r in answered),
          "merged responses differ")
    for ws in names:
        rg.FeedbackDataset.from_argilla(name="shared-name", workspace=ws).delete()
        rg.Workspace.from_name(ws).delete()


if __name__ == "__main__":
    main()
    print("v1 workflow: ok", file=sys.stderr)
