import pytest

from ..factories import RecordFactory

pytestmark = pytest.mark.browser


def test_another_workspaces_dataset_is_not_found(page, sign_in, annotator, other_dataset):
    record = RecordFactory(dataset=other_dataset)
    sign_in("ann")
    assert page.goto(f"/datasets/{other_dataset.pk}/").status == 404
    assert page.goto(f"/datasets/{other_dataset.pk}/records/{record.pk}/").status == 404
    assert "theirs" not in page.content()
