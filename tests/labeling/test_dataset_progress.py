from labeling.selectors.lookups import record_access_for
from labeling.selectors.progress import dataset_progress
from labeling.services import responses as response_services

from ..factories import AssignmentFactory, RecordFactory


def test_progress_counts_records_responses_and_annotators(annotator, admin, dataset, django_assert_max_num_queries):
    records = [RecordFactory(dataset=dataset) for _ in range(3)]
    AssignmentFactory(record=records[0], user=annotator)
    response_services.response_write(
        access=record_access_for(user=annotator, record=records[0]), values={"demonstration": "A"}, status="submitted"
    )
    response_services.response_write(
        access=record_access_for(user=annotator, record=records[1]), values={}, status="draft"
    )
    with django_assert_max_num_queries(8):
        progress = dataset_progress(dataset=dataset)
    assert progress["records"] == {"total": 3, "completed": 1, "pending": 2}
    assert progress["responses"] == {"draft": 1, "submitted": 1, "discarded": 0}
    [row] = progress["annotators"]
    assert row["username"] == "ann"
    assert (row["assigned"], row["submitted"], row["draft"], row["remaining"]) == (1, 1, 1, 2)
    assert row["median_seconds_per_submission"] is not None
