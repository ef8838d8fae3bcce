"""records.jsonl carries every version of each response (the review issue, point 5): a fix is the reviewer's text,
attributed to the reviewer, while the response stays its labeler's."""

from tests.factories import RecordFactory, ResponseFactory


def test_every_version_with_its_review_decision_and_author(dataset, labelers, reviewer, history, run_export, job_file):
    ann1, ann2, _ = labelers
    dataset.review = "all"
    dataset.save(update_fields=["review"])
    record = RecordFactory(dataset=dataset, external_id="e0", fields={"prompt": "p0"})
    fixed = ResponseFactory(record=record, user=ann1, values={"demonstration": "teh answer"}, review_status=None)
    history.submit(fixed), history.fix(fixed, reviewer, demonstration="the answer")
    rejected = ResponseFactory(record=record, user=ann2, values={"demonstration": "?"}, review_status=None)
    history.submit(rejected), history.reject(rejected, reviewer, "Write a whole answer.")
    history.submit(rejected, demonstration="A whole answer.")
    untouched = ResponseFactory(record=RecordFactory(dataset=dataset, external_id="e1"), user=ann1)

    job = run_export([dataset], "records")
    assert job.status == "succeeded", job.error
    first, second = job_file.lines(job)
    by_user = {response["user"]: response for response in first["responses"]}

    fix = by_user["ann1"]
    assert fix["values"] == {"demonstration": "the answer"} and fix["review_status"] == "accepted"
    assert fix["id"] == str(fixed.pk) and fix["version"] == 2
    assert [(v["number"], v["kind"], v["author"], v["values"], v["reviewed_number"]) for v in fix["versions"]] == [
        (1, "submit", "ann1", {"demonstration": "teh answer"}, None),
        (2, "fix", "rev", {"demonstration": "the answer"}, 1),
    ]
    assert fix["versions"][1]["status"] == "submitted" and fix["versions"][1]["review_status"] == "accepted"
    assert fix["versions"][1]["inserted_at"].endswith("+00:00")

    resubmitted = by_user["ann2"]
    assert resubmitted["status"] == "submitted" and resubmitted["review_status"] == "pending"
    assert [(v["kind"], v["author"], v["status"], v["review_status"], v["comment"]) for v in resubmitted["versions"]] == [
        ("submit", "ann2", "submitted", "pending", ""),
        ("reject", "rev", "draft", "rejected", "Write a whole answer."),
        ("submit", "ann2", "submitted", "pending", ""),
    ]
    assert set(resubmitted["versions"][0]) == {"number", "kind", "values", "status", "review_status", "reviewed_number",
                                               "comment", "author", "inserted_at"}

    assert second["responses"][0]["id"] == str(untouched.pk) and second["responses"][0]["versions"] == []
