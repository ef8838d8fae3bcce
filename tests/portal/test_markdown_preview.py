import json


def test_preview_is_rendered_and_sanitized_on_the_server(annotator_client, urls):
    response = annotator_client.post(
        urls.preview, json.dumps({"text": "**hi** <img src=x onerror=alert(1)>"}), content_type="application/json"
    )
    assert response.json() == {"html": '<p><strong>hi</strong> <img src="x"></p>'}


def test_preview_refuses_what_is_not_text(annotator_client, urls):
    response = annotator_client.post(urls.preview, json.dumps({"text": 3}), content_type="application/json")
    assert response.status_code == 400


def test_text_question_with_markdown_offers_a_preview(annotator_client, dataset, records, urls):
    dataset.questions.filter(name="demonstration").update(settings={"type": "text", "use_markdown": True})
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "data-preview-toggle" in html and 'id="preview-demonstration" hidden' in html
