from ..factories import ResponseFactory


def test_previous_opens_the_record_answered_last(annotator_client, annotator, dataset, records, urls):
    ResponseFactory(record=records[0], user=annotator)
    ResponseFactory(record=records[1], user=annotator)
    queue = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "Prompt number 3" in queue
    assert f'<a class="button" href="{urls.record(records[1])}">Previous</a>' in queue
    older = annotator_client.get(urls.record(records[1])).content.decode()
    assert f'<a class="button" href="{urls.record(records[0])}">Previous</a>' in older
    oldest = annotator_client.get(urls.record(records[0])).content.decode()
    assert ">Previous</a>" not in oldest
