from labeling.models import Claim, Response
from labeling.views import SKIPPED_SESSION_KEY


def test_skip_writes_nothing_and_moves_on(annotator_client, annotator, dataset, records, urls):
    annotator_client.get(urls.annotate(dataset))
    response = annotator_client.post(urls.skip(records[0]))
    assert response.status_code == 302 and response["Location"] == urls.annotate(dataset)
    assert not Response.objects.exists()
    assert not Claim.objects.filter(record=records[0], user=annotator).exists()
    assert annotator_client.session[SKIPPED_SESSION_KEY] == {str(dataset.pk): [str(records[0].pk)]}
    assert "Prompt number 2" in annotator_client.get(urls.annotate(dataset)).content.decode()


def test_skipped_records_come_back_when_asked(annotator_client, dataset, records, urls):
    for record in records:
        annotator_client.post(urls.skip(record))
    done = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "All done in demo" in done
    assert "<strong>3</strong> skipped" in done
    annotator_client.post(urls.skipped_reset(dataset))
    assert "Prompt number 1" in annotator_client.get(urls.annotate(dataset)).content.decode()
