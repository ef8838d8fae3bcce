from django.urls import reverse

from config.middleware import PORTAL_POLICY


def test_portal_pages_send_an_enforced_policy_without_inline_script(annotator_client, dataset, records, urls):
    for url in [urls.home, urls.annotate(dataset), urls.my_responses, reverse("account_logout")]:
        policy = annotator_client.get(url)["Content-Security-Policy"]
        assert policy == PORTAL_POLICY
    assert "default-src 'self'" in PORTAL_POLICY
    assert "script-src 'self';" in PORTAL_POLICY
    assert "unsafe-inline" not in PORTAL_POLICY and "unsafe-eval" not in PORTAL_POLICY


def test_sign_in_page_has_it_too(client):
    assert client.get(reverse("account_login"))["Content-Security-Policy"] == PORTAL_POLICY


def test_portal_templates_carry_no_inline_script_or_style(annotator_client, dataset, records, urls):
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "<script>" not in html and "<script " not in html.replace('<script src="/static/portal/portal.js" defer>', "")
    assert "style=" not in html
    assert " onclick=" not in html


def test_json_responses_are_left_alone(annotator_client, urls):
    response = annotator_client.post(urls.preview, {"text": "x"}, content_type="application/json")
    assert "Content-Security-Policy" not in response
