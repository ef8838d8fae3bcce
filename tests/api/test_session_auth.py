from rest_framework.test import APIClient

from labeling.models import Response

from ..factories import RecordFactory

CSRF = "a" * 32


def session_client(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_session_reads_without_csrf(annotator, dataset):
    assert session_client(annotator).get("/api/me").status_code == 200


def test_session_write_needs_the_csrf_token(annotator, dataset):
    record = RecordFactory(dataset=dataset)
    client = session_client(annotator)
    body = {"values": {"demonstration": "Hi"}, "status": "submitted"}
    refused = client.put(f"/api/records/{record.pk}/response/", body, format="json")
    assert refused.status_code == 403
    assert not Response.objects.exists()
    client.cookies["csrftoken"] = CSRF
    accepted = client.put(f"/api/records/{record.pk}/response/", body, format="json", HTTP_X_CSRFTOKEN=CSRF)
    assert accepted.status_code == 200
    assert Response.objects.get().values == {"demonstration": "Hi"}
