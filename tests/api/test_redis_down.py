"""With Redis down, the API still records responses (DESIGN §9); the cache degrades to misses."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from labeling.models import Response

from ..factories import RecordFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_cache_operations_degrade_to_misses():
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1) is False
    assert cache.incr("k") == 1
    cache.set("k", 1)
    assert cache.get_many(["k"]) == {}


@override_settings(CACHES=DEAD_REDIS)
def test_responses_are_recorded_with_redis_down(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    client = api_client_for(annotator)
    answer = client.get(f"/api/datasets/{dataset.pk}/next/")
    assert answer.status_code == 200 and answer.json()["id"] == str(record.pk)
    answer = client.put(
        f"/api/records/{record.pk}/response/",
        {"values": {"demonstration": "Still works."}, "status": "submitted"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert Response.objects.get(record=record).values == {"demonstration": "Still works."}


@override_settings(CACHES=DEAD_REDIS)
def test_a_bad_key_is_still_refused_with_redis_down(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token dk_not-a-key")
    assert client.get("/api/me").status_code == 401


pytestmark = pytest.mark.django_db
