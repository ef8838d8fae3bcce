import pytest

from labeling.models import Response

from .conftest import wait_ready

pytestmark = pytest.mark.browser


def test_discard_asks_then_moves_on(page, sign_in, annotator, dataset, records):
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    first = wait_ready(page)
    answers = iter([False, True])
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.keyboard.press("Control+Shift+D")
    page.wait_for_timeout(200)
    assert len(asked) == 1 and "Discard this record?" in asked[0]
    assert page.evaluate("document.documentElement.dataset.ready") == first
    assert not Response.objects.exists()

    page.keyboard.press("Control+Shift+D")
    second = wait_ready(page, first)
    assert second != first
    assert Response.objects.get(user=annotator).status == "discarded"
    assert str(Response.objects.get(user=annotator).record_id) == first
