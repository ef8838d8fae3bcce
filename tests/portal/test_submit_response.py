import pytest
from django.test import Client

from labeling.models import Claim, Response


def test_submit_writes_the_response_and_opens_the_next_record(annotator_client, annotator, dataset, records, urls):
    annotator_client.get(urls.annotate(dataset))
    response = annotator_client.post(
        urls.record(records[0]), {"action": "submit", "mode": "queue", "q-demonstration": "Line one\r\nLine two", "q-quality": "4"}
    )
    assert response.status_code == 302
    assert response["Location"] == urls.annotate(dataset)
    saved = Response.objects.get(record=records[0], user=annotator)
    assert (saved.status, saved.values) == ("submitted", {"demonstration": "Line one\nLine two", "quality": 4})
    assert not Claim.objects.filter(record=records[0], user=annotator).exists()
    assert "Prompt number 2" in annotator_client.get(urls.annotate(dataset)).content.decode()


def test_errors_show_beside_the_question_and_keep_what_was_typed(annotator_client, annotator, dataset, records, urls):
    response = annotator_client.post(
        urls.record(records[0]), {"action": "submit", "mode": "queue", "q-demonstration": "   ", "q-quality": "5"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="error" id="error-demonstration">This question is required.</p>' in html
    assert 'value="5"\n               data-key="5" checked' in html
    assert not Response.objects.exists()


def test_typed_text_survives_a_refused_submit(annotator_client, dataset, records, urls):
    response = annotator_client.post(
        urls.record(records[0]), {"action": "submit", "mode": "queue", "q-demonstration": "My long answer <b>", "q-quality": "9"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert ">My long answer &lt;b&gt;</textarea>" in html
    assert '<p class="error" id="error-quality">' in html
    assert not Response.objects.exists()


def test_draft_and_discard_through_the_form(annotator_client, annotator, dataset, records, urls):
    response = annotator_client.post(urls.record(records[0]), {"action": "draft", "mode": "queue", "q-demonstration": "half"})
    assert response.status_code == 302 and response["Location"] == urls.record(records[0]) + "?mode=queue"
    assert Response.objects.get(user=annotator).status == "draft"
    page = annotator_client.get(response["Location"]).content.decode()
    assert ">half</textarea>" in page  # the draft stays on screen; the queue itself moves on (issue #19)
    assert "Prompt number 2" in annotator_client.get(urls.annotate(dataset)).content.decode()
    annotator_client.post(urls.record(records[0]), {"action": "discard", "mode": "queue", "q-demonstration": "half"})
    assert Response.objects.get(user=annotator).status == "discarded"
    assert "Prompt number 2" in annotator_client.get(urls.annotate(dataset)).content.decode()


def test_unknown_action_is_refused(annotator_client, dataset, records, urls):
    response = annotator_client.post(urls.record(records[0]), {"action": "publish", "q-demonstration": "x"})
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_forms_need_the_csrf_token(annotator, dataset, records, urls):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    response = client.post(urls.record(records[0]), {"action": "submit", "q-demonstration": "x"})
    assert response.status_code == 403
    assert not Response.objects.exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_next_only_leads_back_into_the_site(annotator_client, dataset, records, urls, next_url):
    response = annotator_client.post(
        urls.record(records[0]), {"action": "submit", "q-demonstration": "x", "next": next_url}
    )
    assert response["Location"] == urls.annotate(dataset)
