import pytest

from labeling.models import Response

from ..factories import ResponseFactory
from .conftest import wait_ready

pytestmark = pytest.mark.browser


def test_edit_a_submitted_response_from_my_responses(page, sign_in, annotator, dataset, records):
    ResponseFactory(record=records[0], user=annotator, status="submitted", values={"demonstration": "First attempt."})
    sign_in("ann")
    page.goto("/responses/")
    page.locator("label[for=status-submitted]").click()  # the filter applies itself
    page.wait_for_url("**status=submitted**")
    page.locator(".response-item a.button").first.click()
    wait_ready(page)
    box = page.locator("textarea[name=q-demonstration]")
    assert box.input_value() == "First attempt."
    box.press("End")
    page.keyboard.type(" Now improved.")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/responses/?status=submitted**")
    assert "First attempt. Now improved." in page.locator(".response-list").inner_text()
    saved = Response.objects.get(user=annotator)
    assert (saved.status, saved.values) == ("submitted", {"demonstration": "First attempt. Now improved."})
