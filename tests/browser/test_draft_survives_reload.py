import pytest

from labeling.models import Response

from .conftest import wait_ready

pytestmark = pytest.mark.browser


def test_autosaved_draft_survives_a_reload(page, sign_in, annotator, dataset, records):
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    record_id = wait_ready(page)
    page.keyboard.type("Half of my answer")
    page.wait_for_selector("#autosave-status:has-text('Draft saved')")
    page.reload()
    assert wait_ready(page) == record_id
    assert page.locator("textarea[name=q-demonstration]").input_value() == "Half of my answer"
    draft = Response.objects.get(user=annotator)
    assert (str(draft.record_id), draft.status, draft.values) == (record_id, "draft", {"demonstration": "Half of my answer"})


def test_ctrl_s_saves_at_once(page, sign_in, annotator, dataset, records):
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    wait_ready(page)
    page.keyboard.type("x")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#autosave-status:has-text('Draft saved')")
    assert Response.objects.get(user=annotator).status == "draft"


def test_leaving_with_unsaved_text_warns(page, sign_in, annotator, dataset, records):
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    wait_ready(page)
    page.keyboard.type("not saved yet")  # leave before the autosave delay has passed
    seen = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert seen == ["beforeunload"]
