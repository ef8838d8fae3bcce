"""`config.api.represent` renders what a freshly built output serializer renders, from one shared
instance per serializer class, and stays right when threads use that instance at once."""

from concurrent.futures import ThreadPoolExecutor

from config.api import represent
from labeling.api.serializers import RecordOutputSerializer, ResponseOutputSerializer
from labeling.selectors.lookups import dataset_access_for
from labeling.selectors.records import record_with_details

from ..factories import RecordFactory, ResponseFactory, SuggestionFactory


def _detailed(admin, dataset, record):
    return record_with_details(access=dataset_access_for(user=admin, dataset=dataset), record=record)


def test_a_record_is_represented_as_its_serializer_represents_it(admin, annotator, dataset):
    record = RecordFactory(dataset=dataset, metadata={"category": "card_arrival"})
    SuggestionFactory(record=record)
    response = ResponseFactory(record=record, user=annotator)
    record = _detailed(admin, dataset, record)

    assert represent(RecordOutputSerializer, record) == RecordOutputSerializer(record).data
    assert represent(ResponseOutputSerializer, response) == ResponseOutputSerializer(response).data
    assert represent(RecordOutputSerializer, record)["responses"][0]["id"] == str(response.pk)


def test_threads_sharing_the_serializer_each_get_their_own_record(admin, dataset):
    records = [_detailed(admin, dataset, RecordFactory(dataset=dataset, external_id=f"r{i}")) for i in range(40)]
    expected = [RecordOutputSerializer(record).data for record in records]

    with ThreadPoolExecutor(max_workers=8) as pool:
        rendered = list(pool.map(lambda record: represent(RecordOutputSerializer, record), records * 5))

    assert rendered == expected * 5
