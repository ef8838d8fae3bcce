from urllib.parse import quote

from labeling.models import Response

from ..factories import DatasetFactory, RecordFactory, ResponseFactory


def _rows(html):
    return html.count('<li class="response-item">')


def test_lists_only_my_own_responses(annotator_client, annotator, records, urls):
    ResponseFactory(record=records[0], user=annotator, values={"demonstration": "mine"})
    ResponseFactory(record=records[1], values={"demonstration": "someone else"})
    html = annotator_client.get(urls.my_responses).content.decode()
    assert _rows(html) == 1
    assert "mine" in html and "someone else" not in html


def test_filters_by_status_dataset_and_search(annotator_client, annotator, workspace, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted", values={"demonstration": "about cats"})
    ResponseFactory(record=records[1], user=annotator, status="draft", values={"demonstration": "about dogs"})
    ResponseFactory(record=records[2], user=annotator, status="discarded", values={})
    other = DatasetFactory(workspace=workspace, name="second")
    ResponseFactory(record=RecordFactory(dataset=other, fields={"prompt": "Tell me about cats"}), user=annotator)
    get = lambda query: annotator_client.get(f"{urls.my_responses}?{query}").content.decode()  # noqa: E731
    assert _rows(get("")) == 4
    assert _rows(get("status=draft")) == 1 and "about dogs" in get("status=draft")
    assert _rows(get("status=discarded")) == 1
    assert _rows(get("q=CATS")) == 2  # the answer of one, the prompt of the other
    assert _rows(get(f"q=cats&dataset={other.pk}")) == 1
    assert _rows(get("status=bogus")) == 4  # an unknown filter value is ignored


def test_reopen_and_edit_stays_submitted(annotator_client, annotator, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted", values={"demonstration": "first try"})
    listing = annotator_client.get(urls.my_responses).content.decode()
    open_url = f"{urls.record(records[0])}?next={quote(urls.my_responses, safe='')}"
    assert f'href="{open_url}"' in listing
    page = annotator_client.get(open_url).content.decode()
    assert ">first try</textarea>" in page
    assert 'value="draft"' not in page  # a submitted answer is changed by submitting it again
    response = annotator_client.post(
        urls.record(records[0]), {"action": "submit", "q-demonstration": "better", "next": urls.my_responses}
    )
    assert response["Location"] == urls.my_responses
    saved = Response.objects.get(user=annotator)
    assert (saved.status, saved.values) == ("submitted", {"demonstration": "better"})


def test_an_invalid_edit_leaves_the_submitted_answer_alone(annotator_client, annotator, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted", values={"demonstration": "keep me"})
    response = annotator_client.post(urls.record(records[0]), {"action": "submit", "q-demonstration": ""})
    assert response.status_code == 400
    assert "This question is required." in response.content.decode()
    saved = Response.objects.get(user=annotator)
    assert (saved.status, saved.values) == ("submitted", {"demonstration": "keep me"})


def test_pages_through_many_responses(annotator_client, annotator, dataset, urls):
    for _ in range(30):
        ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator)
    first = annotator_client.get(urls.my_responses).content.decode()
    second = annotator_client.get(f"{urls.my_responses}?page=2").content.decode()
    assert (_rows(first), _rows(second)) == (25, 5)
    assert "Page 1 of 2" in first
