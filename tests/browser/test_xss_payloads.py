"""Script payloads in guidelines, fields, metadata and answers show as text and never run (DESIGN §9)."""

import pytest

from ..factories import MetadataPropertyFactory, RecordFactory, ResponseFactory
from .conftest import wait_ready

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__xss = "script"</script><img src=x onerror="window.__xss = \'img\'">'


def test_payloads_render_as_text_and_do_not_run(page, sign_in, annotator, dataset):
    dataset.guidelines = f"Guidelines with a payload: {PAYLOAD} and **bold**."
    dataset.save()
    MetadataPropertyFactory(dataset=dataset, name="topic", title="Topic")
    record = RecordFactory(dataset=dataset, fields={"prompt": f"Prompt {PAYLOAD}"}, metadata={"topic": PAYLOAD})
    ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator, values={"demonstration": PAYLOAD})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/records/{record.pk}/")
    wait_ready(page)
    # A plain-text field shows the payload literally.
    assert page.locator('[data-field="prompt"]').inner_text() == f"Prompt {PAYLOAD}"
    assert page.locator(".metadata dd").inner_text() == PAYLOAD
    # Markdown guidelines keep the formatting but lose the script and the handler.
    assert page.locator(".guidelines strong").inner_text() == "bold"
    assert page.locator(".guidelines script").count() == 0
    assert page.locator(".guidelines img").get_attribute("onerror") is None
    page.goto("/responses/")
    assert PAYLOAD in page.locator(".answer-excerpt").inner_text()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []


def test_markdown_preview_does_not_run_a_typed_payload(page, sign_in, annotator, dataset, records):
    dataset.questions.filter(name="demonstration").update(settings={"type": "text", "use_markdown": True})
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    wait_ready(page)
    page.keyboard.type('**hi** <img src=x onerror="window.__xss = 1">')
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#preview-demonstration strong")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
