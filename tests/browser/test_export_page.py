"""The export page as a data lead uses it (issue 16): open it from a dataset, choose from the schema, preview,
start, download."""

import json

import pytest
from celery import current_app

from exports.models import ExportJob

from ..factories import DatasetFactory, FieldFactory, ResponseFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def jobs_in_process(settings, tmp_path):
    """The export task runs in the web process (no worker in this test), its file in a fresh directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def test_choose_from_the_schema_preview_start_and_download(page, sign_in, admin, annotator, dataset, records):
    FieldFactory(dataset=dataset, name="context", required=False)
    wider = DatasetFactory(workspace=dataset.workspace, name="wider")
    FieldFactory(dataset=wider, name="notes")
    for i, record in enumerate(records):
        ResponseFactory(record=record, user=annotator, status="submitted", values={"demonstration": f"Answer {i + 1}"})
    sign_in("wsadmin")
    page.locator(f'a[href="/exports/?dataset={dataset.pk}"]').click()
    # The menus are narrowed to the ticked datasets once the page's script has run.
    page.wait_for_load_state("load")
    assert page.locator(f'input[name=datasets][value="{dataset.pk}"]').is_checked()
    assert page.locator("textarea[name=metadata_filter]").input_value() == ""

    prompt = page.locator("select[name=prompt_field]")
    # Only the chosen dataset's fields are offered: "notes" belongs to the other dataset.
    offered = prompt.locator("option:not([hidden])").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["", "prompt", "context"]
    prompt.select_option("prompt")
    page.locator("select[name=demonstration_question]").select_option("demonstration")
    page.locator("select[name=format]").select_option("sft-prompt-completion")
    assert page.locator("input[name=test_size]").bounding_box()["width"] > 100

    page.get_by_role("button", name="Preview").click()
    assert page.locator("[data-preview-count]").inner_text() == "3"
    shown = [json.loads(line) for line in page.locator(".preview-lines pre").all_inner_texts()]
    assert shown[0] == {"prompt": "Prompt number 1", "completion": "Answer 1"} and len(shown) == 3
    assert ExportJob.objects.count() == 0
    # The choices survive the preview, so the export starts with what was previewed.
    assert prompt.input_value() == "prompt"

    page.get_by_role("button", name="Start export").click()
    page.wait_for_selector("text=Export started")
    job = ExportJob.objects.get()
    link = page.locator(f'a[href="/api/exports/{job.pk}/download/?file=data"]')
    with page.expect_download() as waiting:
        link.click()
    with open(waiting.value.path(), encoding="utf-8") as handle:
        assert [json.loads(line) for line in handle] == shown
