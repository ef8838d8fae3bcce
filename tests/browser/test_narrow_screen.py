import pytest

from .conftest import wait_ready

pytestmark = pytest.mark.browser


def test_annotation_page_fits_a_phone(page, sign_in, annotator, dataset, records, output_dir):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    wait_ready(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    record_box = page.locator(".record-pane").bounding_box()
    answer_box = page.locator(".answer-pane").bounding_box()
    assert answer_box["y"] >= record_box["y"] + record_box["height"]  # one column: the record, then the answers
    page.screenshot(path=str(output_dir / "annotation-page-narrow.png"), full_page=True)


def test_guidelines_stay_collapsed_per_dataset(page, sign_in, annotator, dataset, records):
    sign_in("ann")
    page.goto(f"/datasets/{dataset.pk}/")
    wait_ready(page)
    page.locator("#guidelines summary").click()
    assert page.locator("#guidelines").get_attribute("open") is None
    page.reload()
    wait_ready(page)
    assert page.locator("#guidelines").get_attribute("open") is None
