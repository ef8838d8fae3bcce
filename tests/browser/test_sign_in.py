import pytest

pytestmark = pytest.mark.browser


def test_sign_in_by_email_shows_my_datasets_with_progress(page, sign_in, annotator, dataset, other_dataset):
    sign_in("ann@example.org")
    assert page.locator("h1").inner_text() == "Your datasets"
    card = page.locator(".dataset-card")
    assert card.count() == 1
    assert "demo" in card.inner_text()
    assert card.locator("progress").count() == 1
    assert "theirs" not in page.content()


def test_wrong_password_stays_on_the_form(page, annotator):
    page.goto("/accounts/login/")
    page.fill("#id_login", "ann")
    page.fill("#id_password", "wrong")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert")
    assert "/accounts/login/" in page.url
