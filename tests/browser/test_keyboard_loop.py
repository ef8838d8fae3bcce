import pytest

from labeling.models import Response

from ..factories import MetadataPropertyFactory, RecordFactory, SuggestionFactory
from .conftest import wait_ready

pytestmark = pytest.mark.browser

GUIDELINES = """Write the answer **you** would want to receive.

- Be correct first, then brief.
- Use markdown for lists and code.
"""


def test_three_records_with_the_keyboard_only(page, sign_in, annotator, dataset, output_dir):
    dataset.guidelines = GUIDELINES
    dataset.save()
    dataset.questions.filter(name="demonstration").update(
        title="Write the ideal response", description="Answer as a helpful assistant would.",
        settings={"type": "text", "use_markdown": True},
    )
    MetadataPropertyFactory(dataset=dataset, name="topic", title="Topic")
    prompts = [
        "Explain what a hash map is to a new programmer.\n\nKeep it under 100 words.",
        "Write a haiku about autumn rain.",
        "How do I reverse a list in Python?",
    ]
    records = [RecordFactory(dataset=dataset, fields={"prompt": p}, metadata={"topic": t})
               for p, t in zip(prompts, ["programming", "poetry", "python"], strict=True)]
    SuggestionFactory(record=records[2], value="Use `reversed(items)` or `items[::-1]`.", agent="draft-model")

    sign_in("ann")
    for _ in range(10):  # skip link, brand, navigation, sign out, then the dataset's Start button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.dataset-card a.button')"):
            break
    page.keyboard.press("Enter")
    current = wait_ready(page)
    answers = [
        "A hash map stores values under keys and finds them fast by hashing the key to a slot.",
        "Soft rain on red leaves\nthe gutter hums a slow song\nthe street smells of earth",
        None,  # keep the suggestion
    ]
    for index, answer in enumerate(answers):
        assert page.locator('[data-field="prompt"]').inner_text().startswith(prompts[index][:20])
        if answer is None:
            assert page.locator(".suggested").inner_text().startswith("Suggested by draft-model")
        else:
            page.keyboard.type(answer)  # the text box has the focus
        page.keyboard.press("Tab")  # the preview button
        page.keyboard.press("Tab")  # the rating
        page.keyboard.press(str(index + 3))
        assert page.locator(f'input[name="q-quality"][value="{index + 3}"]').is_checked()
        if index == 0:
            page.screenshot(path=str(output_dir / "annotation-page.png"), full_page=False)
        page.keyboard.press("Control+Enter")
        if index < 2:
            current = wait_ready(page, current)
    page.wait_for_selector("text=All done in demo")
    saved = {r.record_id: r for r in Response.objects.filter(user=annotator)}
    assert [saved[r.pk].status for r in records] == ["submitted"] * 3
    assert [saved[r.pk].values.get("quality") for r in records] == [3, 4, 5]
    assert saved[records[1].pk].values["demonstration"] == answers[1]
    assert saved[records[2].pk].values["demonstration"] == "Use `reversed(items)` or `items[::-1]`."
