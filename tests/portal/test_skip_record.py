"""The portal's skip buttons (issue #19): a reason is recorded, the claim is given back, the queue moves on."""

from labeling.models import Claim, Response, Skip


def test_skip_writes_no_response_and_moves_on(annotator_client, annotator, dataset, records, urls):
    annotator_client.get(urls.annotate(dataset))
    response = annotator_client.post(urls.skip(records[0]), {"reason": "not_my_field"})
    assert response.status_code == 302 and response["Location"] == urls.annotate(dataset)
    assert not Response.objects.exists()
    assert not Claim.objects.filter(record=records[0], user=annotator).exists()
    assert Skip.objects.get(user=annotator).reason == "not_my_field"
    page = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "Prompt number 2" in page and "it will not be offered to you again" in page


def test_a_skip_without_a_reason_is_for_later_and_comes_back_after_the_rest(annotator_client, dataset, records, urls):
    annotator_client.post(urls.skip(records[0]))
    annotator_client.post(urls.skip(records[1]), {"reason": "broken"})
    assert "Prompt number 3" in annotator_client.get(urls.annotate(dataset)).content.decode()
    annotator_client.post(urls.skip(records[2]), {"reason": "later"})
    assert "Prompt number 1" in annotator_client.get(urls.annotate(dataset)).content.decode()
    annotator_client.post(urls.skip(records[0]), {"reason": "not_my_field"})
    annotator_client.post(urls.skip(records[2]), {"reason": "not_my_field"})
    done = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "All done in demo" in done
    assert "<strong>2</strong> not your field" in done and "<strong>1</strong> reported broken" in done


def test_an_unknown_reason_is_refused_and_writes_nothing(annotator_client, dataset, records, urls):
    annotator_client.get(urls.annotate(dataset))
    response = annotator_client.post(urls.skip(records[0]), {"reason": "boring"}, follow=True)
    assert "Give a reason: one of later, not_my_field, broken." in response.content.decode()
    assert not Skip.objects.exists() and Claim.objects.filter(record=records[0]).exists()


def test_the_queue_shows_the_three_skip_buttons_with_their_shortcuts(annotator_client, dataset, records, urls):
    page = annotator_client.get(urls.annotate(dataset)).content.decode()
    for reason, keys in (("later", "Control+Shift+L"), ("not_my_field", "Control+Shift+F"), ("broken", "Control+Shift+B")):
        assert f'name="reason" value="{reason}" aria-keyshortcuts="{keys}"' in page
