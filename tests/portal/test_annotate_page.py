from labeling.models import Claim
from labeling.selectors.lookups import dataset_access_for

from ..factories import MetadataPropertyFactory, RecordFactory, ResponseFactory, SuggestionFactory


def test_shows_the_next_record_and_claims_it(annotator_client, annotator, dataset, records, urls):
    page = annotator_client.get(urls.annotate(dataset))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Prompt number 1" in html
    assert 'data-record="%s"' % records[0].pk in html
    assert Claim.objects.filter(record=records[0], user=annotator).exists()


def test_renders_guidelines_as_markdown_and_plain_fields_with_whitespace(annotator_client, dataset, urls):
    dataset.guidelines = "Be **kind**."
    dataset.save()
    RecordFactory(dataset=dataset, fields={"prompt": "line one\n  <b>indented</b>"})
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "Be <strong>kind</strong>." in html
    assert 'class="plain-text" data-field="prompt">line one\n  &lt;b&gt;indented&lt;/b&gt;</div>' in html


def test_markdown_field_is_rendered(annotator_client, dataset, urls):
    dataset.fields.filter(name="prompt").update(use_markdown=True)
    RecordFactory(dataset=dataset, fields={"prompt": "a *b* c"})
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert '<div class="markdown" data-field="prompt"><p>a <em>b</em> c</p></div>' in html


def test_shows_only_metadata_marked_visible(annotator_client, dataset, urls):
    MetadataPropertyFactory(dataset=dataset, name="topic", title="Topic")
    MetadataPropertyFactory(dataset=dataset, name="source", title="Source", visible_for_annotators=False)
    RecordFactory(dataset=dataset, metadata={"topic": "cooking", "source": "secret-crawl", "extra": "undeclared"})
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "<dt>Topic</dt><dd>cooking</dd>" in html
    assert "secret-crawl" not in html
    assert "undeclared" not in html


def test_suggestions_prefill_and_are_marked(annotator_client, dataset, urls):
    record = RecordFactory(dataset=dataset)
    SuggestionFactory(record=record, value="Model draft answer", agent="gpt-x")
    SuggestionFactory(record=record, question=dataset.questions.get(name="quality"), value=4, agent="judge")
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert ">Model draft answer</textarea>" in html
    assert "Suggested by gpt-x" in html
    assert 'name="q-quality" value="4"\n               data-key="4" checked' in html


def test_own_draft_prefills_instead_of_suggestions(annotator_client, annotator, dataset, urls):
    record = RecordFactory(dataset=dataset)
    SuggestionFactory(record=record, value="Model draft answer")
    ResponseFactory(record=record, user=annotator, status="draft", values={"demonstration": "My own words"})
    html = annotator_client.get(urls.annotate(dataset) + "?resume=drafts").content.decode()
    assert ">My own words</textarea>" in html
    assert "Model draft answer" not in html
    assert "Suggested" not in html


def test_never_shows_other_labelers_answers(annotator_client, dataset, urls):
    record = RecordFactory(dataset=dataset)
    ResponseFactory(record=record, values={"demonstration": "Someone else's answer"}, status="draft")
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert "Someone else" not in html


def test_all_question_types_render_with_labels(annotator_client, admin, dataset, urls):
    from labeling.services import datasets as dataset_services

    dataset.status = "draft"
    dataset.save()
    access = dataset_access_for(user=admin, dataset=dataset)
    dataset_services.question_create(access=access, name="tone", type="label_selection",
                                     settings={"options": ["formal", "casual"]})
    dataset_services.question_create(access=access, name="tags", type="multi_label_selection",
                                     settings={"options": ["math", "code", "poetry"]})
    dataset_services.question_create(access=access, name="order", type="ranking", settings={"options": ["a", "b"]})
    dataset.status = "ready"
    dataset.save()
    RecordFactory(dataset=dataset)
    html = annotator_client.get(urls.annotate(dataset)).content.decode()
    assert '<label class="question-title" for="input-demonstration">' in html
    assert 'type="radio" id="input-tone-2" name="q-tone" value="casual"\n               data-key="2"' in html
    assert 'type="checkbox" id="input-tags-3" name="q-tags" value="poetry"\n               data-key="3"' in html
    assert '<label for="q-order-rank-1">b</label>' in html
    assert '<select id="q-order-rank-1" name="q-order-rank-1" data-option="b">' in html
