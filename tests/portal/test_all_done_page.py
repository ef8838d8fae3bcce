from ..factories import ResponseFactory


def test_all_done_shows_my_counts_not_an_error(annotator_client, annotator, dataset, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted")
    ResponseFactory(record=records[1], user=annotator, status="submitted")
    ResponseFactory(record=records[2], user=annotator, status="discarded")
    response = annotator_client.get(urls.annotate(dataset))
    assert response.status_code == 200
    html = response.content.decode()
    assert "All done in demo" in html
    assert "<strong>2</strong> submitted" in html
    assert "<strong>1</strong> discarded" in html


def test_records_completed_by_others_are_not_handed_out(annotator_client, dataset, records, urls):
    for record in records:
        ResponseFactory(record=record, status="submitted")
        record.submitted_count, record.status = 1, "completed"
        record.save()
    assert "All done in demo" in annotator_client.get(urls.annotate(dataset)).content.decode()


def test_draft_dataset_shows_a_message_to_its_admin(client, admin, dataset, urls):
    dataset.status = "draft"
    dataset.save()
    client.force_login(admin)
    response = client.get(urls.annotate(dataset))
    assert response.status_code == 409
    assert "Publish the dataset" in response.content.decode()
