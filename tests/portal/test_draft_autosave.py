import json

from django.test import Client

from labeling.models import Response

from ..factories import ResponseFactory


def _post(client, url, body):
    return client.post(url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json")


def test_saves_a_partial_draft(annotator_client, annotator, records, urls):
    response = _post(annotator_client, urls.draft(records[0]), {"values": {"quality": 2}})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    saved = Response.objects.get(user=annotator)
    assert (saved.status, saved.values) == ("draft", {"quality": 2})


def test_refuses_bad_json_and_bad_values_and_writes_nothing(annotator_client, records, urls):
    assert _post(annotator_client, urls.draft(records[0]), "{nope").status_code == 400
    assert _post(annotator_client, urls.draft(records[0]), {"values": []}).status_code == 400
    bad = _post(annotator_client, urls.draft(records[0]), {"values": {"quality": 11}})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["questions"] == {"quality": "Choose one of 1, 2, 3, 4, 5."}
    assert not Response.objects.exists()


def test_a_submitted_answer_is_not_turned_back_into_a_draft(annotator_client, annotator, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted", values={"demonstration": "done"})
    response = _post(annotator_client, urls.draft(records[0]), {"values": {"demonstration": "changed"}})
    assert response.status_code == 409
    assert Response.objects.get(user=annotator).status == "submitted"


def test_needs_the_csrf_header(annotator, records, urls):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    assert _post(client, urls.draft(records[0]), {"values": {"quality": 2}}).status_code == 403
    client.get(urls.annotate(records[0].dataset))
    token = client.cookies["csrftoken"].value
    ok = client.post(urls.draft(records[0]), json.dumps({"values": {"quality": 2}}),
                     content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200


def test_refuses_deep_nesting_and_nul_with_the_error_shape(annotator_client, records, urls):
    deep = '{"values": ' + "[" * 5000 + "]" * 5000 + "}"
    response = _post(annotator_client, urls.draft(records[0]), deep)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The JSON body nests deeper than 64 levels; flatten it."
    nul = _post(annotator_client, urls.draft(records[0]), {"values": {"demonstration": "a\u0000b"}})
    assert nul.status_code == 400
    assert "NUL" in nul.json()["error"]["message"]
    assert not Response.objects.exists()
