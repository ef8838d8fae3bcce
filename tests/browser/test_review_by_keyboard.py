import pytest

from accounts.models import Membership
from labeling.models import Response, ResponseVersion
from labeling.selectors.lookups import record_access_for
from labeling.services.responses import response_write

from ..factories import MembershipFactory, RecordFactory, SuggestionFactory, UserFactory
from .conftest import wait_ready

pytestmark = pytest.mark.browser

COMMENT = "Name a colour, not the weather."
FIXED = "The sea is deep blue."


def wait_review(page, previous: str | None = None) -> str:
    """Wait until the review page is interactive with other answers or versions than `previous`."""
    handle = page.wait_for_function(
        """prev => {
            const ready = document.documentElement.dataset.reviewReady;
            return ready && ready !== prev ? ready : false;
        }""",
        arg=previous or "",
    )
    return handle.json_value()


def selected_labeler(page) -> str:
    return page.locator(".review-answer.is-selected h2").inner_text()


def test_accept_reject_and_fix_by_keyboard_then_the_labeler_reads_the_comment(page, sign_in, workspace, dataset, output_dir):
    dataset.review = "all"
    dataset.save(update_fields=["review"])
    reviewer = UserFactory(username="rev")
    MembershipFactory(user=reviewer, workspace=workspace, role=Membership.Role.REVIEWER)
    labelers = [UserFactory(username=name) for name in ("ada", "bob", "cyd")]
    for user in labelers:
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    record = RecordFactory(dataset=dataset, fields={"prompt": "Name a colour."})
    SuggestionFactory(record=record, value="The sky is blue.")
    texts = ["The sky is blue, mostly.", "It is raining.", "The sea is blue."]
    for user, text in zip(labelers, texts, strict=True):
        response_write(access=record_access_for(user=user, record=record), values={"demonstration": text},
                       status=Response.Status.SUBMITTED)

    sign_in("rev")
    for _ in range(12):  # skip link, brand, navigation, sign out, the dataset's Start, then its review link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.review-link a')"):
            break
    assert page.evaluate("document.activeElement.textContent").startswith("Review (3 to do)")
    page.keyboard.press("Enter")
    state = wait_review(page)
    assert selected_labeler(page).endswith("ada"), "the first answer waiting is picked"
    page.keyboard.press("d")
    assert page.locator("#answer-1 details.diff[open]").count() == 3
    assert page.locator("#answer-1 details.diff[open] ins").first.inner_text() == "blue, mostly."
    page.screenshot(path=str(output_dir / "review-page.png"), full_page=False)

    page.keyboard.press("1")
    page.keyboard.press("a")
    state = wait_review(page, state)
    assert page.locator(".message").inner_text() == "Answer accepted."

    page.keyboard.press("2")
    assert selected_labeler(page).endswith("bob")
    page.keyboard.press("r")
    page.keyboard.press("Control+Enter")  # no comment yet: the form says so and sends nothing
    assert "needs one" in page.locator("#comment-error-2").inner_text()
    page.keyboard.type(COMMENT)
    page.keyboard.press("Control+Enter")
    state = wait_review(page, state)

    assert [h.endswith(name) for h, name in zip(page.locator(".review-answer h2").all_inner_texts(), ("ada", "cyd"), strict=True)]
    page.keyboard.press("2")
    assert selected_labeler(page).endswith("cyd")
    page.keyboard.press("f")
    page.keyboard.press("Control+a")
    page.keyboard.type(FIXED)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Nothing to review in demo")

    answers = {r.user.username: r for r in Response.objects.filter(record=record).select_related("user")}
    assert (answers["ada"].review_status, answers["ada"].values["demonstration"]) == ("accepted", texts[0])
    assert (answers["bob"].status, answers["bob"].review_status) == ("draft", "rejected")
    assert (answers["cyd"].review_status, answers["cyd"].values["demonstration"]) == ("accepted", FIXED)
    kinds = dict(ResponseVersion.objects.filter(record=record, author=reviewer).values_list("respondent__username", "kind"))
    assert kinds == {"ada": "accept", "bob": "reject", "cyd": "fix"}

    page.context.clear_cookies()
    sign_in("bob")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.dataset-card a.button')"):
            break
    page.keyboard.press("Enter")
    assert wait_ready(page) == str(record.pk), "the rejected record comes first"
    assert COMMENT in page.locator(".review-comment").inner_text()
    assert page.locator("textarea[name=q-demonstration]").input_value() == texts[1]
