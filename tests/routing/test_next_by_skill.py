"""`next` with routing by skill (issue #19): a labeler gets only records matching their skills or without a
value, through the API and the portal; admins are not routed; the fallback opens records to labelers
without skills when no matching labeler has been active."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from labeling.models import Response

from ..factories import ResponseFactory
from .conftest import add_records

CALLS = 1_000


def _next(client, dataset):
    return client.get(f"/api/datasets/{dataset.pk}/next/")


def test_a_python_labeler_never_gets_a_biology_record_in_1000_api_calls(api_client_for, routed_dataset, labeler):
    domains = add_records(routed_dataset, 40)
    client = api_client_for(labeler("pyla", ["python"]))
    served = []
    for _ in range(CALLS):
        answer = _next(client, routed_dataset)
        if answer.status_code == 204:
            continue
        record_id = answer.json()["id"]
        served.append(record_id)
        client.put(f"/api/records/{record_id}/response/", {"values": {"demonstration": "x"}, "status": "submitted"},
                   format="json")
    served_domains = [domains[_uuid(record_id)] for record_id in served]
    assert "biology" not in served_domains
    assert served_domains.count("python") == 40 and served_domains.count(None) == 40, "python and untagged all served"


def test_untagged_records_are_served_to_everyone(api_client_for, routed_dataset, labeler):
    domains = add_records(routed_dataset, 3)
    for user in (labeler("nobody"), labeler("bio", ["Biology"])):
        client = api_client_for(user)
        seen = set()
        while (answer := _next(client, routed_dataset)).status_code == 200:
            seen.add(domains[_uuid(answer.json()["id"])])
            client.put(f"/api/records/{answer.json()['id']}/response/",
                       {"values": {"demonstration": "x"}, "status": "discarded"}, format="json")
        assert None in seen and "python" not in seen
        assert ("biology" in seen) == (user.username == "bio")


def test_the_portal_never_shows_a_biology_record_in_1000_pages(login, routed_dataset, labeler):
    domains = add_records(routed_dataset, 10)
    client = login(labeler("portalpy", ["python"]))
    shown = []
    for _ in range(CALLS):
        page = client.get(reverse("portal:annotate", args=[routed_dataset.pk]))
        record = page.context.get("record")
        if record is None:
            continue
        shown.append(domains[record.pk])
        client.post(reverse("portal:skip_record", args=[routed_dataset.pk, record.pk]))
    assert "biology" not in shown
    assert {"python", None} <= set(shown)


def test_admins_are_not_routed(api_client_for, routed_dataset, labeler):
    domains = add_records(routed_dataset, 1)
    client = api_client_for(labeler("boss", role=Membership.Role.ADMIN))
    seen = set()
    while (answer := _next(client, routed_dataset)).status_code == 200:
        seen.add(domains[_uuid(answer.json()["id"])])
        client.put(f"/api/records/{answer.json()['id']}/response/",
                   {"values": {"demonstration": "x"}, "status": "discarded"}, format="json")
    assert seen == {"python", "biology", None}


def test_routing_off_serves_every_record(api_client_for, routed_dataset, labeler):
    routed_dataset.routing_property = ""
    routed_dataset.save()
    add_records(routed_dataset, 1)
    client = api_client_for(labeler("plain", ["python"]))
    served = 0
    while (answer := _next(client, routed_dataset)).status_code == 200:
        served += 1
        client.put(f"/api/records/{answer.json()['id']}/response/",
                   {"values": {"demonstration": "x"}, "status": "discarded"}, format="json")
    assert served == 3


def test_fallback_opens_records_whose_labelers_went_quiet(api_client_for, routed_dataset, labeler):
    routed_dataset.routing_fallback_hours = 24
    routed_dataset.save()
    domains = add_records(routed_dataset, 1)
    python_record = next(pk for pk, domain in domains.items() if domain == "python")
    biology_record = next(pk for pk, domain in domains.items() if domain == "biology")
    pythonista, biologist = labeler("py", ["python"]), labeler("bi", ["biology"])
    recent = ResponseFactory(record_id=python_record, user=pythonista, status=Response.Status.SUBMITTED)
    Response.objects.filter(pk=recent.pk).update(submitted_at=timezone.now() - timedelta(hours=1))
    old = ResponseFactory(record_id=biology_record, user=biologist, status=Response.Status.SUBMITTED)
    Response.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(hours=48))
    client = api_client_for(labeler("newcomer"))
    seen = set()
    while (answer := _next(client, routed_dataset)).status_code == 200:
        seen.add(domains[_uuid(answer.json()["id"])])
        client.put(f"/api/records/{answer.json()['id']}/response/",
                   {"values": {"demonstration": "x"}, "status": "discarded"}, format="json")
    assert seen == {"biology", None}, "biology's labeler is quiet for 48 h; python's was active 1 h ago"


def _uuid(value):
    return uuid.UUID(value)
